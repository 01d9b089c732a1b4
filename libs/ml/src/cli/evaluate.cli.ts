import { parseArgs } from 'node:util';
import { formatModelEvaluation } from '../evaluation/evaluation-table.js';
import { loadEvaluationSet } from '../evaluation/evaluation-set.loader.js';
import { evaluateModelRef } from '../evaluation/model-evaluation.js';
import { ModelRegistry } from '../registry/model.registry.js';
import { DEFAULT_MODEL_REF } from '../registry/model-ref.js';
import { EVALUATION_SET_FLAGS, evaluationSetOptions, resolvePath } from './cli-args.js';

const USAGE = `Usage: npm run evaluate -- --data <folder | file.csv> [--history data/football] [--model ${DEFAULT_MODEL_REF}]
  [--registry models] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json]
Scores a registered model on the finished matches in --data (features point in time from all of its history;
a single CSV takes its history from --history) beside the base rate and the bookmakers.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ...EVALUATION_SET_FLAGS,
      model: { type: 'string' },
      registry: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const registryRoot = resolvePath(values.registry, 'models');
  const ref = values.model ?? DEFAULT_MODEL_REF;
  const setOptions = evaluationSetOptions(values);
  // A bad ref fails here, before seconds of data loading.
  await new ModelRegistry(registryRoot).resolve(ref);
  const set = await loadEvaluationSet(setOptions);
  const evaluation = await evaluateModelRef(registryRoot, ref, set);
  console.log(values.json ? JSON.stringify(evaluation, null, 2) : formatModelEvaluation(evaluation));
}

main().catch((err: unknown) => {
  console.error(`evaluate: ${err instanceof Error ? err.message : String(err)}`);
  console.error(USAGE);
  process.exitCode = 2;
});
