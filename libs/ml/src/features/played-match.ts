import type { MatchRecord } from '../data/match-record.js';
import type { FullTimeResult } from '../outcome.js';

/** A match with a final score: the only kind that may change feature state. */
export type PlayedMatch = MatchRecord & { homeGoals: number; awayGoals: number; result: FullTimeResult };

export function isPlayed(match: MatchRecord): match is PlayedMatch {
  return match.result !== null && match.homeGoals !== null && match.awayGoals !== null;
}
