import type { ForecastScore } from '../training/evaluation.js';
import type { ModelEvaluation } from './model-evaluation.js';

/** The human-readable report of `npm run evaluate`. */
export function formatModelEvaluation(e: ModelEvaluation): string {
  const set = e.evaluation_set;
  const [h, d, a] = e.base_rate.probabilities.map((p) => p.toFixed(3));
  const rows: [string, ForecastScore | null][] = [
    [`model ${e.model.name}@${e.model.version}`, e.scores.model],
    ['base rate', e.scores.base_rate],
    ['bookmakers (margin removed)', e.scores.bookmakers],
  ];
  if (e.scores.model_on_odds_matches && set.matches_with_odds < set.matches) {
    rows.push(['model, matches with odds only', e.scores.model_on_odds_matches]);
  }
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = [
    `model: ${e.model.ref} = version ${e.model.version} (run ${e.model.run_id}, TF.js backend ${e.model.backend})`,
    `evaluation set: ${set.description} [${set.fingerprint}]`,
    '',
    `${'forecaster'.padEnd(width)}  matches  log_loss   brier  accuracy     ECE`,
    ...rows.map(([label, s]) => (s ? formatRow(label, s, width) : `${label.padEnd(width)}  (no odds in this set)`)),
    '',
    `base rate: H ${h} / D ${d} / A ${a}, ${e.base_rate.description}`,
  ];
  const sources = Object.entries(e.bookmaker_sources).map(([k, n]) => `${k} ${n}`).join(', ');
  if (sources) lines.push(`bookmakers: 1/odds normalised to sum to 1; odds columns used: ${sources} (PSC = Pinnacle closing)`);
  if (e.log_loss_ratio_vs_bookmakers !== null) {
    const pct = (e.log_loss_ratio_vs_bookmakers - 1) * 100;
    lines.push(
      `model / bookmakers log-loss ratio: ${e.log_loss_ratio_vs_bookmakers.toFixed(4)} ` +
        `(${Math.abs(pct).toFixed(2)} % ${pct > 0 ? 'worse' : 'better'}) on ${set.matches_with_odds} matches with odds`,
    );
  }
  const gain = e.scores.base_rate.log_loss - e.scores.model.log_loss;
  lines.push(`model vs base rate: ${Math.abs(gain).toFixed(4)} log-loss ${gain >= 0 ? 'better' : 'WORSE'}`);
  if (set.skipped_unplayed > 0) lines.push(`skipped ${set.skipped_unplayed} matches in range without a result`);
  if (set.rejected_rows > 0) lines.push(`warning: ${set.rejected_rows} rows were rejected while loading (see --json or the loader)`);
  if (set.in_training_window > 0) {
    lines.push(`warning: ${set.in_training_window} of ${set.matches} matches are inside the model's training window: in-sample, optimistic`);
  }
  return lines.join('\n');
}

function formatRow(label: string, s: ForecastScore, width: number): string {
  return (
    `${label.padEnd(width)}  ${String(s.rows).padStart(7)}  ${s.log_loss.toFixed(4).padStart(8)}  ${s.brier.toFixed(4).padStart(6)}` +
    `  ${s.accuracy.toFixed(4).padStart(8)}  ${s.calibration_error.toFixed(4).padStart(6)}`
  );
}
