import type { MatchRecord } from '../../data/match-record.js';
import { daysBetween } from '../../data/parse-date.js';
import type { FeatureBlock } from '../feature-block.js';
import type { TeamLog } from '../team-log.js';

/** Beyond a month a team is simply rested (the summer break would otherwise dominate). */
export const REST_DAYS_CAP = 30;
/** After two seasons more history says little about coverage. */
export const PRIOR_MATCHES_CAP = 100;
const TIER = /(\d+)$/;

export const SCHEDULE_FEATURES = [
  'home_rest_days', 'away_rest_days', 'home_prior_matches', 'away_prior_matches', 'division_tier',
] as const;

/** Rest days since each side's previous match, how much history each side has, and the league tier. */
export class ScheduleBlock implements FeatureBlock {
  readonly names = SCHEDULE_FEATURES;

  constructor(private readonly log: TeamLog) {}

  compute(match: MatchRecord): (number | null)[] {
    const home = this.log.matches(match.homeTeam);
    const away = this.log.matches(match.awayTeam);
    const tier = TIER.exec(match.division)?.[1];
    return [
      restDays(home.at(-1)?.date, match.date),
      restDays(away.at(-1)?.date, match.date),
      Math.min(home.length, PRIOR_MATCHES_CAP),
      Math.min(away.length, PRIOR_MATCHES_CAP),
      // E0 = tier 1 (top flight), E1 = tier 2.
      tier === undefined ? null : Number(tier) + 1,
    ];
  }

  update(): void {
    // State lives in the shared TeamLog, which the pass updates.
  }
}

function restDays(previous: string | undefined, date: string): number | null {
  return previous === undefined ? null : Math.min(daysBetween(previous, date), REST_DAYS_CAP);
}
