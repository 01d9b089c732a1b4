import type { FullTimeResult } from '../outcome.js';

/** 1X2 decimal odds of one bookmaker (or market average); `source` is the column prefix, e.g. `PSC`. */
export interface MatchOdds {
  home: number;
  draw: number;
  away: number;
  source: string;
}

export interface MatchRecord {
  /** Stable id from (division, date, homeTeam, awayTeam), see `matchIdOf`. */
  matchId: number;
  division: string;
  /** e.g. `2023-2024`. */
  season: string;
  /** ISO `YYYY-MM-DD`. */
  date: string;
  homeTeam: string;
  awayTeam: string;
  /** null for fixtures not yet played. */
  homeGoals: number | null;
  awayGoals: number | null;
  result: FullTimeResult | null;
  /** Evaluation baseline only: odds are never a model feature. */
  odds: MatchOdds | null;
}

export interface RejectedRow {
  file: string;
  /** 1-based line number in the file (header = line 1). */
  line: number;
  reason: string;
}
