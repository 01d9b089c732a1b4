import { parseArgs } from 'node:util';
import { MODEL_ALIASES, MODEL_NAME, type ModelAlias } from '../registry/model-ref.js';
import type { TfBackendName } from '../tf/tf-backend.js';
import { runTraining } from '../training/train-pipeline.js';
import { parseIntegerOption, resolvePath } from './cli-args.js';

const USAGE = `Usage: node dist/libs/ml/src/cli/train.cli.js [--data data/football] [--registry models]
  [--seed 42] [--alias champion] [--alias candidate] [--name match-outcome] [--max-epochs 200] [--backend wasm|cpu]`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      registry: { type: 'string' },
      seed: { type: 'string' },
      alias: { type: 'string', multiple: true },
      name: { type: 'string' },
      'max-epochs': { type: 'string' },
      backend: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const aliases = values.alias?.map((a) => {
    if (!MODEL_ALIASES.includes(a as ModelAlias)) throw new Error(`--alias must be one of ${MODEL_ALIASES.join(', ')}`);
    return a as ModelAlias;
  });
  const backend = values.backend as TfBackendName | undefined;
  if (backend !== undefined && !['tensorflow', 'wasm', 'cpu'].includes(backend)) throw new Error('--backend must be tensorflow, wasm or cpu');

  const report = await runTraining({
    dataDir: resolvePath(values.data, 'data/football'),
    registryRoot: resolvePath(values.registry, 'models'),
    name: values.name ?? MODEL_NAME,
    ...(aliases ? { aliases } : {}),
    ...(backend ? { prefer: backend } : {}),
    params: {
      seed: parseIntegerOption(values.seed, 42, '--seed'),
      maxEpochs: parseIntegerOption(values['max-epochs'], 200, '--max-epochs'),
    },
    log: (line) => console.log(line),
    onEpoch: (e) => {
      if (e.epoch === 1 || e.epoch % 10 === 0) {
        console.log(`  epoch ${String(e.epoch).padStart(3)}  train_loss ${e.trainLoss.toFixed(4)}  val_log_loss ${e.validationLogLoss.toFixed(4)}`);
      }
    },
  });
  console.log(`done: ${report.metadata.name}@${report.metadata.version}, reload check max |dp| = ${report.reloadMaxAbsDiff.toExponential(1)}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  console.error(USAGE);
  process.exitCode = 1;
});
