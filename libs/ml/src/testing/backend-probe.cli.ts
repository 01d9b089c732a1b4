import { parseArgs } from 'node:util';
import { loadModel } from '../model/loaded-model.adapter.js';
import { DEFAULT_MODEL_REF } from '../registry/model-ref.js';
import { initTfBackend, type TfBackendName } from '../tf/tf-backend.js';
import { parityFeatureBatch } from './parity-batch.js';

/** What the probe prints: one JSON object on stdout. */
export interface BackendProbeOutput {
  requested: TfBackendName;
  /** The backend TF.js actually selected (it falls back when the requested one cannot start). */
  backend: TfBackendName;
  model: string;
  version: number;
  probabilities: number[][];
}

/**
 * Test helper, run as a child process: initTfBackend picks one backend per process, so comparing backends needs
 * one process each. Loads a model on the requested backend and prints its probabilities for parityFeatureBatch.
 * Usage: node backend-probe.cli.js --backend cpu|wasm|tensorflow --registry <dir> [--model match-outcome@champion]
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { backend: { type: 'string' }, registry: { type: 'string' }, model: { type: 'string' } } });
  const requested = values.backend as TfBackendName;
  if (!['tensorflow', 'wasm', 'cpu'].includes(requested)) throw new Error('--backend must be tensorflow, wasm or cpu');
  if (values.registry === undefined) throw new Error('--registry is required');
  const backend = await initTfBackend({ prefer: requested });
  const model = await loadModel(values.registry, values.model ?? DEFAULT_MODEL_REF);
  const output: BackendProbeOutput = {
    requested,
    backend,
    model: `${model.metadata.name}@${model.metadata.version}`,
    version: model.metadata.version,
    probabilities: model.predict(parityFeatureBatch(model.metadata.feature_signature)),
  };
  model.dispose();
  console.log(JSON.stringify(output));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
