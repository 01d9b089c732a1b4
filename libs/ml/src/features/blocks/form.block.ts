import type { MatchRecord } from '../../data/match-record.js';
import type { FeatureBlock } from '../feature-block.js';
import { lastMean, type TeamLog, type TeamMatch } from '../team-log.js';

/** Longer windows (10 matches) measured no better on 2019-23 once ratings and season form are present. */
const WINDOW = 5;

const points = (m: TeamMatch): number => m.points;
const goalsFor = (m: TeamMatch): number => m.goalsFor;
const goalsAgainst = (m: TeamMatch): number => m.goalsAgainst;
const goalDiff = (m: TeamMatch): number => m.goalsFor - m.goalsAgainst;

export const FORM_FEATURES = [
  'home_ppg_5', 'away_ppg_5', 'home_gf_5', 'home_ga_5', 'away_gf_5', 'away_ga_5',
  'home_home_ppg_5', 'home_home_gd_5', 'away_away_ppg_5', 'away_away_gd_5',
  'home_season_ppg', 'away_season_ppg',
] as const;

/**
 * Rolling form over each team's last 5 matches (any division in the data, across seasons),
 * the home side's home form and the away side's away form, and points per game so far this season.
 * Partial windows average what exists; no history gives null.
 */
export class FormBlock implements FeatureBlock {
  readonly names = FORM_FEATURES;

  constructor(private readonly log: TeamLog) {}

  compute(match: MatchRecord): (number | null)[] {
    const home = this.log.matches(match.homeTeam);
    const away = this.log.matches(match.awayTeam);
    const homeAtHome = this.log.matches(match.homeTeam, 'home');
    const awayAway = this.log.matches(match.awayTeam, 'away');
    return [
      lastMean(home, WINDOW, points), lastMean(away, WINDOW, points),
      lastMean(home, WINDOW, goalsFor), lastMean(home, WINDOW, goalsAgainst),
      lastMean(away, WINDOW, goalsFor), lastMean(away, WINDOW, goalsAgainst),
      lastMean(homeAtHome, WINDOW, points), lastMean(homeAtHome, WINDOW, goalDiff),
      lastMean(awayAway, WINDOW, points), lastMean(awayAway, WINDOW, goalDiff),
      seasonPpg(home, match.season), seasonPpg(away, match.season),
    ];
  }

  update(): void {
    // State lives in the shared TeamLog, which the pass updates.
  }
}

function seasonPpg(entries: readonly TeamMatch[], season: string): number | null {
  let sum = 0;
  let n = 0;
  for (let i = entries.length - 1; i >= 0; i--) {
    const m = entries[i] as TeamMatch;
    if (m.season !== season) break;
    sum += m.points;
    n++;
  }
  return n === 0 ? null : sum / n;
}
