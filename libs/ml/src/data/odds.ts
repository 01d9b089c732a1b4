import type { MatchOdds } from './match-record.js';

/**
 * Column prefixes of 1X2 odds, best first: Pinnacle closing (sharpest), market closing averages, then
 * pre-match Pinnacle and averages, then single books in rough order of coverage. Columns are `<prefix>H/D/A`.
 */
export const ODDS_SOURCE_PRIORITY: readonly string[] = [
  'PSC', 'AvgC', 'B365C', 'PS', 'Avg', 'BbAv', 'B365', 'BW', 'IW', 'LB', 'WH', 'VC', 'SJ', 'GB', 'SB', 'SY', 'SO', 'BS',
];

/** First source whose three prices are all valid decimal odds (> 1), or null. */
export function pickOdds(get: (column: string) => string | undefined): MatchOdds | null {
  for (const source of ODDS_SOURCE_PRIORITY) {
    const home = parseOdd(get(`${source}H`));
    const draw = parseOdd(get(`${source}D`));
    const away = parseOdd(get(`${source}A`));
    if (home !== null && draw !== null && away !== null) return { home, draw, away, source };
  }
  return null;
}

function parseOdd(raw: string | undefined): number | null {
  if (raw === undefined || raw.trim() === '') return null;
  const value = Number(raw);
  return Number.isFinite(value) && value > 1 ? value : null;
}
