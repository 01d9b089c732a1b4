import type { MatchRecord } from '../../data/match-record.js';
import type { FeatureBlock } from '../feature-block.js';
import type { PlayedMatch } from '../played-match.js';

/** Constantinou & Fenton (2013) pi-ratings: goal-difference ratings kept separately for home and away. */
export interface PiRatingParams {
  /** Learning rate on the venue played. */
  lambda: number;
  /** Share of that change passed to the other venue's rating. */
  gamma: number;
}

export const DEFAULT_PI_PARAMS: PiRatingParams = { lambda: 0.035, gamma: 0.7 };

export const PI_RATING_FEATURES = ['pi_home_at_home', 'pi_away_at_away', 'pi_expected_gd'] as const;

interface TeamPi {
  home: number;
  away: number;
}

export class PiRatingBlock implements FeatureBlock {
  readonly names = PI_RATING_FEATURES;
  private readonly ratings = new Map<string, TeamPi>();

  constructor(private readonly params: PiRatingParams = DEFAULT_PI_PARAMS) {}

  compute(match: MatchRecord): (number | null)[] {
    const home = this.rating(match.homeTeam).home;
    const away = this.rating(match.awayTeam).away;
    return [home, away, expectedGoals(home) - expectedGoals(away)];
  }

  update(match: PlayedMatch): void {
    const home = this.rating(match.homeTeam);
    const away = this.rating(match.awayTeam);
    const expected = expectedGoals(home.home) - expectedGoals(away.away);
    const observed = match.homeGoals - match.awayGoals;
    const error = 3 * Math.log10(1 + Math.abs(observed - expected));
    const step = (observed > expected ? error : -error) * this.params.lambda;
    this.ratings.set(match.homeTeam, { home: home.home + step, away: home.away + step * this.params.gamma });
    this.ratings.set(match.awayTeam, { home: away.home - step * this.params.gamma, away: away.away - step });
  }

  private rating(team: string): TeamPi {
    return this.ratings.get(team) ?? { home: 0, away: 0 };
  }
}

/** Rating to expected goal difference against an average side: sign(r) * (10^(|r|/3) - 1). */
function expectedGoals(rating: number): number {
  return Math.sign(rating) * (10 ** (Math.abs(rating) / 3) - 1);
}
