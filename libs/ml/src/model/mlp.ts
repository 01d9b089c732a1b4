import * as tf from '@tensorflow/tfjs';

export interface MlpParams {
  /** Units per hidden layer, e.g. [32, 16]. */
  hidden: readonly number[];
  /** L2 penalty on every kernel. */
  l2: number;
  /** Seeds the weight initialisers, so a run is reproducible. */
  seed: number;
}

/**
 * N -> hidden (relu) ... -> 3 softmax. Regularised by L2 and early stopping only: TF.js dropout with a fixed
 * seed reuses one mask for every batch, and without a seed the run is not reproducible.
 */
export function buildMlp(inputWidth: number, params: MlpParams): tf.Sequential {
  const model = tf.sequential();
  params.hidden.forEach((units, i) => {
    model.add(
      tf.layers.dense({
        units,
        activation: 'relu',
        kernelInitializer: tf.initializers.heNormal({ seed: params.seed + i }),
        kernelRegularizer: tf.regularizers.l2({ l2: params.l2 }),
        ...(i === 0 ? { inputShape: [inputWidth] } : {}),
      }),
    );
  });
  model.add(
    tf.layers.dense({
      units: 3,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: params.seed + params.hidden.length }),
      kernelRegularizer: tf.regularizers.l2({ l2: params.l2 }),
      ...(params.hidden.length === 0 ? { inputShape: [inputWidth] } : {}),
    }),
  );
  return model;
}
