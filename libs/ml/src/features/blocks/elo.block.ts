import type { MatchRecord } from '../../data/match-record.js';
import type { FeatureBlock } from '../feature-block.js';
import type { PlayedMatch } from '../played-match.js';

export interface EloParams {
  /** Update step. */
  k: number;
  /** Rating points added to the home side when computing expectations. */
  homeAdvantage: number;
  /** Share of the distance to the division anchor removed at a team's first match of a new season. */
  seasonRegression: number;
  /** Typical rating per division; divisions are linked only through promotion and relegation. */
  divisionAnchors: Readonly<Record<string, number>>;
  defaultAnchor: number;
  /** A team first seen after its division's first match day is usually promoted from an untracked league. */
  newcomerPenalty: number;
}

export const DEFAULT_ELO_PARAMS: EloParams = {
  k: 20,
  homeAdvantage: 60,
  seasonRegression: 0.3,
  divisionAnchors: { E0: 1500, E1: 1350 },
  defaultAnchor: 1300,
  newcomerPenalty: 50,
};

interface TeamRating {
  rating: number;
  season: string;
  division: string;
}

export const ELO_FEATURES = ['elo_home', 'elo_away', 'elo_diff', 'elo_home_expectation'] as const;

/** ELO with home advantage, goal-margin multiplier and between-season regression toward the division anchor. */
export class EloBlock implements FeatureBlock {
  readonly names = ELO_FEATURES;
  private readonly ratings = new Map<string, TeamRating>();
  private readonly divisionFirstDate = new Map<string, string>();

  constructor(private readonly params: EloParams = DEFAULT_ELO_PARAMS) {}

  compute(match: MatchRecord): (number | null)[] {
    const home = this.preMatchRating(match.homeTeam, match);
    const away = this.preMatchRating(match.awayTeam, match);
    const diff = home - away + this.params.homeAdvantage;
    return [home, away, diff, expectation(diff)];
  }

  update(match: PlayedMatch): void {
    const home = this.preMatchRating(match.homeTeam, match);
    const away = this.preMatchRating(match.awayTeam, match);
    const expected = expectation(home - away + this.params.homeAdvantage);
    const score = match.result === 'H' ? 1 : match.result === 'D' ? 0.5 : 0;
    const delta = this.params.k * marginMultiplier(Math.abs(match.homeGoals - match.awayGoals)) * (score - expected);
    this.ratings.set(match.homeTeam, { rating: home + delta, season: match.season, division: match.division });
    this.ratings.set(match.awayTeam, { rating: away - delta, season: match.season, division: match.division });
    if (!this.divisionFirstDate.has(match.division)) this.divisionFirstDate.set(match.division, match.date);
  }

  /** Rating going into `match`: pure, so compute() and update() agree for the same match. */
  private preMatchRating(team: string, match: MatchRecord): number {
    const known = this.ratings.get(team);
    if (!known) {
      const anchor = this.anchor(match.division);
      const firstDate = this.divisionFirstDate.get(match.division);
      return firstDate !== undefined && firstDate < match.date ? anchor - this.params.newcomerPenalty : anchor;
    }
    if (known.season === match.season) return known.rating;
    const anchor = this.anchor(known.division);
    return known.rating + (anchor - known.rating) * this.params.seasonRegression;
  }

  private anchor(division: string): number {
    return this.params.divisionAnchors[division] ?? this.params.defaultAnchor;
  }
}

function expectation(diff: number): number {
  return 1 / (1 + 10 ** (-diff / 400));
}

/** World Football Elo margin weighting: wins by 2 count 1.5x, bigger wins (11 + margin) / 8. */
function marginMultiplier(margin: number): number {
  if (margin <= 1) return 1;
  if (margin === 2) return 1.5;
  return (11 + margin) / 8;
}
