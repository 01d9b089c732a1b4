import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FeatureVector } from '../features/feature-vector.js';
import type { ModelMetadata } from '../registry/model-metadata.js';
import { ModelRegistry } from '../registry/model.registry.js';
import { initTfBackend, type TfBackendName } from '../tf/tf-backend.js';
import { toModelInput } from './feature-matrix.js';
import { artifactsFromFiles, layersModelFromArtifacts, MODEL_JSON, WEIGHTS_BIN } from './model-artifacts.js';

/** The TF.js model behind the predictor: the only place that turns feature vectors into tensors. */
export class LoadedModel {
  readonly featureNames: readonly string[];

  constructor(
    private readonly model: tf.LayersModel,
    readonly metadata: ModelMetadata,
    readonly alias: string | null,
    readonly backend: TfBackendName,
  ) {
    this.featureNames = metadata.feature_signature.map((s) => s.name);
    const inputWidth = model.inputs[0]?.shape[1];
    if (inputWidth !== this.featureNames.length) {
      throw new Error(`Model input width ${inputWidth} does not match ${this.featureNames.length} signature features`);
    }
  }

  /**
   * [pHome, pDraw, pAway] per row, each summing to 1. Throws FeatureMismatchError on unknown, missing or
   * non-numeric features. Synchronous: one small matmul chain, no reason to yield.
   */
  predict(rows: readonly FeatureVector[]): number[][] {
    if (rows.length === 0) return [];
    const input = toModelInput(rows, this.metadata.feature_signature);
    const width = this.featureNames.length;
    // The output tensor leaves tidy() and is read outside it: returning the read-out array instead would make
    // tidy walk every one of its numbers looking for tensors (a quarter of a 64-row call).
    const output = tf.tidy(() => {
      // The whole batch in one pass: predict() would slice it into chunks of 32 (its default batchSize), and
      // every chunk pays the per-call cost of running the layers (a batch of 64 took twice as long).
      const result = this.model.predict(tf.tensor2d(input, [rows.length, width]), { batchSize: rows.length });
      if (Array.isArray(result)) throw new Error('Expected a single-output model');
      return result;
    });
    let flat: Float32Array | Int32Array | Uint8Array;
    try {
      flat = output.dataSync();
    } finally {
      output.dispose();
    }
    const out: number[][] = [];
    for (let r = 0; r < rows.length; r++) {
      const home = flat[r * 3] ?? 0;
      const draw = flat[r * 3 + 1] ?? 0;
      const away = flat[r * 3 + 2] ?? 0;
      // Softmax in float32 sums to 1 only within ~1e-7; renormalise in float64 for consumers that check.
      const sum = home + draw + away;
      out.push([home / sum, draw / sum, away / sum]);
    }
    return out;
  }

  dispose(): void {
    this.model.dispose();
  }
}

/** Resolves `ref` (`match-outcome@champion`, `match-outcome@3`, `match-outcome`) and loads it on the best backend. */
export async function loadModel(registryRoot: string, ref: string): Promise<LoadedModel> {
  const backend = await initTfBackend();
  const { metadata, alias, dir } = await new ModelRegistry(registryRoot).resolve(ref);
  const [modelJson, weights] = await Promise.all([readFile(join(dir, MODEL_JSON), 'utf8'), readFile(join(dir, WEIGHTS_BIN))]);
  const model = await layersModelFromArtifacts(artifactsFromFiles(modelJson, weights));
  return new LoadedModel(model, metadata, alias, backend);
}
