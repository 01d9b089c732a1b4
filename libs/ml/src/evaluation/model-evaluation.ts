import type { FeatureVector } from '../features/feature-vector.js';
import { type LoadedModel, loadModel } from '../model/loaded-model.adapter.js';
import { type ForecastScore, scoreForecast } from '../training/evaluation.js';
import { impliedProbabilities } from '../training/metrics.js';
import { type BaseRate, resolveBaseRate } from './base-rate.js';
import type { EvaluationSet } from './evaluation-set.loader.js';

/** What `npm run evaluate -- --json` prints; snake_case like metadata.json. */
export interface ModelEvaluation {
  model: {
    ref: string;
    name: string;
    version: number;
    run_id: string;
    alias: string | null;
    backend: string;
  };
  evaluation_set: {
    description: string;
    fingerprint: string;
    matches: number;
    matches_with_odds: number;
    first_date: string;
    last_date: string;
    skipped_unplayed: number;
    rejected_rows: number;
    /** Evaluated matches inside the model's training window: scores on those are in-sample. */
    in_training_window: number;
  };
  base_rate: BaseRate;
  scores: {
    model: ForecastScore;
    base_rate: ForecastScore;
    /** Margin-free implied probabilities, on the matches that have odds; null when none do. */
    bookmakers: ForecastScore | null;
    /** The model on exactly the bookmakers' matches, for a like-for-like comparison. */
    model_on_odds_matches: ForecastScore | null;
  };
  /** Matches per odds column prefix used (e.g. PSC = Pinnacle closing). */
  bookmaker_sources: Record<string, number>;
  /** Model log-loss / bookmakers' log-loss on the same matches (1.03 = 3 % worse); null without odds. */
  log_loss_ratio_vs_bookmakers: number | null;
}

/**
 * Scores a loaded model beside the base rate and the bookmakers on one evaluation set. Used by the evaluate CLI
 * and by promotion, so both compare models the same way. Features are cut down to the model's own signature, so
 * a model trained before a feature was added can still be evaluated.
 */
export function evaluateModel(model: LoadedModel, set: EvaluationSet, ref = `${model.metadata.name}@${model.metadata.version}`): ModelEvaluation {
  const { rows } = set;
  const labels = rows.map((r) => r.label);
  const probs = model.predict(rows.map((r) => project(r.features, model.featureNames)));
  const baseRate = resolveBaseRate(model.metadata, set.history.matches, labels);

  const withOdds = rows.flatMap((r, i) => (r.match.odds ? [{ i, odds: r.match.odds }] : []));
  const sources: Record<string, number> = {};
  for (const w of withOdds) sources[w.odds.source] = (sources[w.odds.source] ?? 0) + 1;
  let bookmakers: ForecastScore | null = null;
  let modelOnOdds: ForecastScore | null = null;
  if (withOdds.length > 0) {
    const oddsLabels = withOdds.map((w) => labels[w.i]!);
    bookmakers = scoreForecast('bookmakers', withOdds.map((w) => impliedProbabilities(w.odds)), oddsLabels);
    modelOnOdds = scoreForecast('model (matches with odds)', withOdds.map((w) => probs[w.i]!), oddsLabels);
  }

  const window = model.metadata.training_window;
  const m = model.metadata;
  return {
    model: { ref, name: m.name, version: m.version, run_id: m.run_id, alias: model.alias, backend: model.backend },
    evaluation_set: {
      description: set.description,
      fingerprint: set.fingerprint,
      matches: rows.length,
      matches_with_odds: withOdds.length,
      first_date: rows[0]?.match.date ?? '',
      last_date: rows.at(-1)?.match.date ?? '',
      skipped_unplayed: set.skippedUnplayed,
      rejected_rows: set.rejected.length,
      in_training_window: rows.filter((r) => r.match.date >= window.from && r.match.date <= window.to).length,
    },
    base_rate: baseRate,
    scores: {
      model: scoreForecast('model', probs, labels),
      base_rate: scoreForecast('base rate', labels.map(() => baseRate.probabilities), labels),
      bookmakers,
      model_on_odds_matches: modelOnOdds,
    },
    bookmaker_sources: sources,
    log_loss_ratio_vs_bookmakers: bookmakers && modelOnOdds ? modelOnOdds.log_loss / bookmakers.log_loss : null,
  };
}

/** Loads `ref` from the registry, evaluates it and frees it again. */
export async function evaluateModelRef(registryRoot: string, ref: string, set: EvaluationSet): Promise<ModelEvaluation> {
  const model = await loadModel(registryRoot, ref);
  try {
    return evaluateModel(model, set, ref);
  } finally {
    model.dispose();
  }
}

function project(features: FeatureVector, names: readonly string[]): FeatureVector {
  const out: FeatureVector = {};
  // A name the history does not compute stays absent, so predict reports it as missing instead of guessing.
  for (const name of names) if (Object.hasOwn(features, name)) out[name] = features[name] ?? null;
  return out;
}
