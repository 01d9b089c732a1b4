import * as tf from '@tensorflow/tfjs';
import { buildMlp, type MlpParams } from '../model/mlp.js';
import type { Outcome } from '../outcome.js';
import { logLoss } from './metrics.js';
import { createPrng, permutation } from './prng.js';

export interface TrainParams extends MlpParams {
  learningRate: number;
  batchSize: number;
  maxEpochs: number;
  /** Epochs without a validation improvement of at least `minDelta` before stopping. */
  patience: number;
  minDelta: number;
}

export interface Matrix {
  /** Row-major, already imputed and standardised (see toModelInput). */
  data: Float32Array;
  rows: number;
  width: number;
}

export interface EpochLog {
  epoch: number;
  trainLoss: number;
  validationLogLoss: number;
}

export interface TrainedMlp {
  model: tf.Sequential;
  /** 1-based epoch whose weights were kept. */
  bestEpoch: number;
  epochs: EpochLog[];
}

/**
 * Adam on softmax cross-entropy with early stopping on validation log-loss; keeps the best epoch's weights.
 * Each epoch shuffles with a seeded PRNG and calls fit(shuffle: false), so a seed fixes the whole run.
 */
export async function trainMlp(
  train: Matrix,
  trainLabels: readonly Outcome[],
  validation: Matrix,
  validationLabels: readonly Outcome[],
  params: TrainParams,
  onEpoch?: (log: EpochLog) => void,
): Promise<TrainedMlp> {
  const model = buildMlp(train.width, params);
  model.compile({ optimizer: tf.train.adam(params.learningRate), loss: 'categoricalCrossentropy' });

  const x = tf.tensor2d(train.data, [train.rows, train.width]);
  const y = tf.oneHot(tf.tensor1d([...trainLabels], 'int32'), 3);
  const xVal = tf.tensor2d(validation.data, [validation.rows, validation.width]);
  const random = createPrng(params.seed);
  const epochs: EpochLog[] = [];
  let best = { loss: Number.POSITIVE_INFINITY, epoch: 0, weights: [] as tf.Tensor[] };

  try {
    for (let epoch = 1; epoch <= params.maxEpochs; epoch++) {
      const order = tf.tensor1d(permutation(train.rows, random), 'int32');
      const xs = tf.gather(x, order);
      const ys = tf.gather(y, order);
      const fit = await model.fit(xs, ys, { epochs: 1, batchSize: params.batchSize, shuffle: false, verbose: 0 });
      tf.dispose([order, xs, ys]);

      const validationLogLoss = logLoss(predictRows(model, xVal), validationLabels);
      const log: EpochLog = { epoch, trainLoss: Number(fit.history.loss?.[0] ?? Number.NaN), validationLogLoss };
      epochs.push(log);
      onEpoch?.(log);

      if (validationLogLoss < best.loss - params.minDelta) {
        tf.dispose(best.weights);
        best = { loss: validationLogLoss, epoch, weights: model.getWeights().map((w) => w.clone()) };
      } else if (epoch - best.epoch >= params.patience) {
        break;
      }
    }
    model.setWeights(best.weights);
    return { model, bestEpoch: best.epoch, epochs };
  } finally {
    tf.dispose([x, y, xVal, ...best.weights]);
  }
}

/** Class probabilities per row, as plain numbers. */
export function predictRows(model: tf.LayersModel, x: tf.Tensor2D): number[][] {
  return tf.tidy(() => (model.predict(x) as tf.Tensor2D).arraySync());
}
