import type { Outcome } from '../outcome.js';
import type { LabelledRow } from './dataset.js';
import { accuracy, brierScore, calibrationError, classFrequencies, impliedProbabilities, logLoss, type Probabilities } from './metrics.js';

export interface ForecastScore {
  forecaster: string;
  rows: number;
  log_loss: number;
  brier: number;
  accuracy: number;
  calibration_error: number;
}

export interface EvaluationTable {
  scores: ForecastScore[];
  /** Flat names for ModelMetadata.metrics. */
  metrics: Record<string, number>;
}

/**
 * Scores the model beside the base rate (training class frequencies) and the bookmakers (margin-free implied
 * probabilities) on the same validation matches. If some matches lack odds, the model is also scored on
 * exactly the matches that have them, so the bookmaker comparison stays like for like.
 */
export function evaluateForecasts(rows: readonly LabelledRow[], modelProbs: readonly Probabilities[], trainLabels: readonly Outcome[]): EvaluationTable {
  const labels = rows.map((r) => r.label);
  const base = classFrequencies(trainLabels);
  const withOdds = rows.flatMap((r, i) => (r.match.odds ? [{ i, odds: r.match.odds }] : []));
  const scores = [scoreForecast('model', modelProbs, labels), scoreForecast('base rate', labels.map(() => base), labels)];
  const metrics: Record<string, number> = {
    log_loss: scores[0]!.log_loss,
    brier: scores[0]!.brier,
    accuracy: scores[0]!.accuracy,
    calibration_error: scores[0]!.calibration_error,
    validation_rows: rows.length,
    base_rate_log_loss: scores[1]!.log_loss,
    base_rate_brier: scores[1]!.brier,
    base_rate_accuracy: scores[1]!.accuracy,
    // Kept so later evaluations can score the same base rate on any set (see resolveBaseRate).
    base_rate_home_win: base[0],
    base_rate_draw: base[1],
    base_rate_away_win: base[2],
  };
  if (withOdds.length > 0) {
    const sources = [...new Set(withOdds.map((w) => w.odds.source))].join('/');
    const oddsLabels = withOdds.map((w) => labels[w.i] as Outcome);
    const bookmakers = scoreForecast(`bookmakers (${sources})`, withOdds.map((w) => impliedProbabilities(w.odds)), oddsLabels);
    scores.push(bookmakers);
    Object.assign(metrics, {
      bookmaker_log_loss: bookmakers.log_loss,
      bookmaker_brier: bookmakers.brier,
      bookmaker_accuracy: bookmakers.accuracy,
      bookmaker_rows: withOdds.length,
    });
    if (withOdds.length < rows.length) {
      const subset = scoreForecast('model (matches with odds)', withOdds.map((w) => modelProbs[w.i] ?? []), oddsLabels);
      scores.push(subset);
      metrics.log_loss_on_bookmaker_rows = subset.log_loss;
    }
  }
  return { scores, metrics };
}

/** All four metrics of one forecaster on one set of matches. */
export function scoreForecast(forecaster: string, probs: readonly Probabilities[], labels: readonly Outcome[]): ForecastScore {
  return {
    forecaster,
    rows: labels.length,
    log_loss: logLoss(probs, labels),
    brier: brierScore(probs, labels),
    accuracy: accuracy(probs, labels),
    calibration_error: calibrationError(probs, labels),
  };
}

export function formatEvaluationTable(table: EvaluationTable, season: string): string {
  const width = Math.max(...table.scores.map((s) => s.forecaster.length), 10);
  const header = `${'forecaster'.padEnd(width)}  rows  log_loss   brier  accuracy  calib_err`;
  const lines = table.scores.map(
    (s) =>
      `${s.forecaster.padEnd(width)}  ${String(s.rows).padStart(4)}  ${s.log_loss.toFixed(4).padStart(8)}  ${s.brier.toFixed(4).padStart(6)}` +
      `  ${s.accuracy.toFixed(4).padStart(8)}  ${s.calibration_error.toFixed(4).padStart(9)}`,
  );
  return [`validation season ${season}`, header, ...lines].join('\n');
}
