import { parseArgs } from 'node:util';
import { runBatchInference } from '../batch/batch-inference.js';
import { DEFAULT_MODEL_REF } from '../registry/model-ref.js';
import { resolvePath } from './cli-args.js';

/** Default as-of date: leaves the last weeks of 2023-24 in the shipped data as a demo set of "upcoming" matches. */
const DEFAULT_AS_OF = '2024-04-01';

const USAGE = `Usage: node dist/libs/ml/src/cli/batch-infer.cli.js [--data data/football] [--registry models]
  [--model match-outcome@champion] [--as-of ${DEFAULT_AS_OF}] [--out data/predictions/batch_predictions.parquet]`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      registry: { type: 'string' },
      model: { type: 'string' },
      'as-of': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const out = resolvePath(values.out, 'data/predictions/batch_predictions.parquet');
  const asOf = values['as-of'] ?? DEFAULT_AS_OF;
  const started = performance.now();
  const result = await runBatchInference({
    dataDir: resolvePath(values.data, 'data/football'),
    registryRoot: resolvePath(values.registry, 'models'),
    modelRef: values.model ?? DEFAULT_MODEL_REF,
    asOf,
    out,
  });
  const counts = [0, 0, 0];
  for (const r of result.rows) counts[r.predicted_class] = (counts[r.predicted_class] ?? 0) + 1;
  console.log(`scored ${result.rows.length} matches on/after ${asOf} with version ${result.modelVersion} ` +
    `(backend ${result.backend}) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  console.log(`predicted classes: home ${counts[0]}, draw ${counts[1]}, away ${counts[2]}`);
  console.log(`wrote ${out}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  console.error(USAGE);
  process.exitCode = 1;
});
