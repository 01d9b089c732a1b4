import type { MatchRecord } from '../data/match-record.js';
import { isPlayed } from '../features/played-match.js';
import { type Outcome, outcomeOf } from '../outcome.js';
import type { ModelMetadata } from '../registry/model-metadata.js';
import { classFrequencies } from '../training/metrics.js';

export type BaseRateSource = 'model-metadata' | 'training-window' | 'evaluated-set';

export interface BaseRate {
  /** [home, draw, away]. */
  probabilities: [number, number, number];
  source: BaseRateSource;
  /** Where the frequencies came from, in words, for the report. */
  description: string;
}

/**
 * The base-rate forecast for a model: its training-window class frequencies, which is what the model itself could
 * have known. Newer metadata stores them; for older models (v1) they are recounted over `training_window` when the
 * history covers it exactly (the row count must match). Otherwise the evaluated set's own frequencies, which are
 * in-sample and so flatter the base rate slightly.
 */
export function resolveBaseRate(metadata: ModelMetadata, history: readonly MatchRecord[], evaluatedLabels: readonly Outcome[]): BaseRate {
  const m = metadata.metrics;
  const stored = [m.base_rate_home_win, m.base_rate_draw, m.base_rate_away_win];
  if (stored.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    return {
      probabilities: stored as [number, number, number],
      source: 'model-metadata',
      description: `training-window class frequencies stored in ${metadata.name}@${metadata.version} metadata`,
    };
  }
  const window = metadata.training_window;
  const labels: Outcome[] = [];
  for (const match of history) {
    if (isPlayed(match) && match.date >= window.from && match.date <= window.to) labels.push(outcomeOf(match.result));
  }
  if (labels.length > 0 && labels.length === window.rows) {
    return {
      probabilities: classFrequencies(labels),
      source: 'training-window',
      description: `training-window class frequencies recounted over ${window.from}..${window.to} (${window.rows} matches, as in the metadata)`,
    };
  }
  return {
    probabilities: classFrequencies(evaluatedLabels),
    source: 'evaluated-set',
    description:
      `evaluated set's own class frequencies (the model's training window ${window.from}..${window.to} ` +
      `has ${window.rows} matches but this history has ${labels.length}); in-sample, so slightly flattering`,
  };
}
