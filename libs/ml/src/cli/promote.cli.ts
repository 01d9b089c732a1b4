import { parseArgs } from 'node:util';
import { loadEvaluationSet } from '../evaluation/evaluation-set.loader.js';
import type { ModelEvaluation } from '../evaluation/model-evaluation.js';
import { promoteModel, type PromotionResult } from '../promotion/promote-model.js';
import { checkOverride } from '../promotion/promotion-gate.js';
import { promotionLogPath } from '../promotion/promotion-log.js';
import { ModelRegistry } from '../registry/model.registry.js';
import { MODEL_NAME } from '../registry/model-ref.js';
import { EVALUATION_SET_FLAGS, evaluationSetOptions, resolvePath } from './cli-args.js';

const USAGE = `Usage: npm run promote -- --data <folder | file.csv> [--name ${MODEL_NAME}] [--candidate candidate|<version>]
  [--history data/football] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--registry models] [--force --reason "..."] [--json]
Moves the champion alias to the candidate only if its log-loss on the evaluation set is no worse than the
champion's. Exit 0 = promoted, 1 = refused by the gate, 2 = error. Every decision is appended to
<registry>/<name>/promotions.log.`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      ...EVALUATION_SET_FLAGS,
      name: { type: 'string' },
      candidate: { type: 'string' },
      registry: { type: 'string' },
      force: { type: 'boolean' },
      reason: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  checkOverride(values.force, values.reason);
  const registryRoot = resolvePath(values.registry, 'models');
  const name = values.name ?? MODEL_NAME;
  const candidate = values.candidate ?? 'candidate';
  const setOptions = evaluationSetOptions(values);
  await new ModelRegistry(registryRoot).resolve(`${name}@${candidate}`);

  const result = await promoteModel({
    registryRoot,
    name,
    candidate,
    set: await loadEvaluationSet(setOptions),
    ...(values.force !== undefined ? { force: values.force } : {}),
    ...(values.reason !== undefined ? { reason: values.reason } : {}),
  });
  if (values.json) console.log(JSON.stringify(result.entry, null, 2));
  else console.log(report(result, promotionLogPath(registryRoot, name)));
  if (result.decision.forced) console.error(`OVERRIDE: gate refused (${result.decision.detail}); forced with reason: ${result.decision.reason}`);
  return result.decision.promote ? 0 : 1;
}

function report(r: PromotionResult, logFile: string): string {
  const e = r.entry;
  const rows: [string, ModelEvaluation | null][] = [
    [`candidate ${e.name}@${e.to}`, r.candidate],
    [e.from === null ? 'champion (none)' : `champion ${e.name}@${e.from}`, r.champion],
  ];
  const lines = [`evaluation set: ${e.evaluation_set.description} [${e.evaluation_set.fingerprint}]`, '', 'model                         log_loss   brier  accuracy     ECE'];
  for (const [label, ev] of rows) {
    const s = ev?.scores.model;
    lines.push(s ? `${label.padEnd(28)}  ${s.log_loss.toFixed(4)}  ${s.brier.toFixed(4)}    ${s.accuracy.toFixed(4)}  ${s.calibration_error.toFixed(4)}` : label);
  }
  const book = r.candidate.scores.bookmakers;
  if (book) lines.push(`${'bookmakers'.padEnd(28)}  ${book.log_loss.toFixed(4)}  ${book.brier.toFixed(4)}    ${book.accuracy.toFixed(4)}  ${book.calibration_error.toFixed(4)}  (${book.rows} matches with odds)`);
  const base = r.candidate.scores.base_rate;
  lines.push(`${'base rate (candidate)'.padEnd(28)}  ${base.log_loss.toFixed(4)}  ${base.brier.toFixed(4)}    ${base.accuracy.toFixed(4)}  ${base.calibration_error.toFixed(4)}`);
  lines.push('');
  for (const ev of [r.candidate, r.champion]) {
    if (ev && ev.evaluation_set.in_training_window > 0) {
      lines.push(`warning: ${ev.evaluation_set.in_training_window} evaluated matches are inside ${ev.model.name}@${ev.model.version}'s training window (in-sample)`);
    }
  }
  const verdict =
    e.decision === 'promoted' ? `PROMOTED: champion ${e.from ?? 'none'} -> ${e.to}` :
    e.decision === 'forced' ? `FORCED: champion ${e.from ?? 'none'} -> ${e.to} despite the gate` :
    `REFUSED: champion stays ${e.from ?? 'none'}; candidate ${e.to} is worse`;
  lines.push(`${verdict} (${e.gate})${e.reason ? `; reason: ${e.reason}` : ''}`);
  lines.push(`aliases now ${JSON.stringify(r.aliases)}; decision appended to ${logFile}`);
  return lines.join('\n');
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`promote: ${err instanceof Error ? err.message : String(err)}`);
    console.error(USAGE);
    process.exitCode = 2;
  },
);
