import type { MatchRecord } from '../data/match-record.js';
import type { FeatureVector } from '../features/feature-vector.js';
import type { MatchHistory } from '../features/match-history.js';
import { isPlayed } from '../features/played-match.js';
import { type Outcome, outcomeOf } from '../outcome.js';
import type { DataWindow, FeatureStat } from '../registry/model-metadata.js';

export interface LabelledRow {
  match: MatchRecord;
  features: FeatureVector;
  label: Outcome;
}

export interface TimeSplit {
  train: LabelledRow[];
  validation: LabelledRow[];
  validationSeason: string;
  /** Seasons left out at the start because every team's history is still empty. */
  burnInSeasons: string[];
}

/**
 * Time-based split of played matches: validate on the most recent season, train on every earlier season
 * except the first `burnIn` (ratings and form start from nothing there).
 */
export function timeSplit(history: MatchHistory, burnIn = 1, validationSeason?: string): TimeSplit {
  const played = history.matches.filter(isPlayed);
  const seasons = [...new Set(played.map((m) => m.season))].sort();
  const valSeason = validationSeason ?? seasons.at(-1);
  if (valSeason === undefined) throw new Error('No played matches to train on');
  const burnInSeasons = seasons.slice(0, burnIn);
  const rows = (keep: (m: MatchRecord) => boolean): LabelledRow[] =>
    played.filter(keep).map((match) => ({
      match,
      features: history.featuresFor(match.matchId) ?? {},
      label: outcomeOf(match.result),
    }));
  const train = rows((m) => m.season < valSeason && !burnInSeasons.includes(m.season));
  const validation = rows((m) => m.season === valSeason);
  if (train.length === 0 || validation.length === 0) throw new Error(`Empty split around validation season ${valSeason}`);
  return { train, validation, validationSeason: valSeason, burnInSeasons };
}

/** Mean and (population) std of each feature over non-null training values; std 0 becomes 1. */
export function featureStats(rows: readonly LabelledRow[], names: readonly string[]): FeatureStat[] {
  return names.map((name) => {
    let n = 0;
    let sum = 0;
    let sumSq = 0;
    for (const row of rows) {
      const v = row.features[name];
      if (v === null || v === undefined) continue;
      n++;
      sum += v;
      sumSq += v * v;
    }
    const mean = n === 0 ? 0 : sum / n;
    const variance = n === 0 ? 0 : Math.max(0, sumSq / n - mean * mean);
    const std = Math.sqrt(variance);
    return { name, mean, std: std > 1e-9 ? std : 1 };
  });
}

export function dataWindow(rows: readonly LabelledRow[]): DataWindow {
  const dates = rows.map((r) => r.match.date).sort();
  return { from: dates[0] ?? '', to: dates.at(-1) ?? '', rows: rows.length };
}
