import { loadMatches } from '../data/matches.loader.js';
import { MatchHistory } from '../features/match-history.js';
import { loadModel } from '../model/loaded-model.adapter.js';
import { argmax } from '../training/metrics.js';
import type { BatchPrediction } from './batch-prediction.js';
import { writePredictionsParquet } from './predictions.parquet.js';

export interface BatchInferenceOptions {
  dataDir: string;
  registryRoot: string;
  /** e.g. `match-outcome@champion`. */
  modelRef: string;
  /** ISO date: matches on or after it are scored. */
  asOf: string;
  out: string;
  /** Fixed timestamp for reproducible files; default now. */
  scoredAt?: string;
}

export interface BatchInferenceResult {
  rows: BatchPrediction[];
  modelVersion: number;
  backend: string;
}

/** Scores every upcoming match with the given model and writes the parquet file atomically. */
export async function runBatchInference(options: BatchInferenceOptions): Promise<BatchInferenceResult> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(options.asOf)) throw new Error(`as-of must be YYYY-MM-DD, got '${options.asOf}'`);
  const model = await loadModel(options.registryRoot, options.modelRef);
  try {
    const { matches } = await loadMatches(options.dataDir);
    const history = MatchHistory.fromMatches(matches);
    const upcoming = history.upcoming(options.asOf);
    const probs = model.predict(upcoming.map((m) => history.featuresFor(m.matchId) ?? {}));
    const scoredAt = options.scoredAt ?? new Date().toISOString();
    const rows = upcoming.map((m, i): BatchPrediction => {
      const [home, draw, away] = probs[i] ?? [];
      if (home === undefined || draw === undefined || away === undefined) throw new Error(`No prediction for match ${m.matchId}`);
      return {
        match_id: m.matchId,
        division: m.division,
        match_date: m.date,
        home_team: m.homeTeam,
        away_team: m.awayTeam,
        prob_home_win: home,
        prob_draw: draw,
        prob_away_win: away,
        predicted_class: argmax([home, draw, away]),
        model_name: model.metadata.name,
        model_version: model.metadata.version,
        model_run_id: model.metadata.run_id,
        scored_at: scoredAt,
      };
    });
    await writePredictionsParquet(options.out, rows);
    return { rows, modelVersion: model.metadata.version, backend: model.backend };
  } finally {
    model.dispose();
  }
}
