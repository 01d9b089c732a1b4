import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Outcome } from '../outcome.js';
import { initTfBackend } from '../tf/tf-backend.js';
import { logLoss } from './metrics.js';
import { createPrng, permutation } from './prng.js';
import { type Matrix, trainMlp, type TrainParams } from './train-mlp.js';

/** Three separable-ish classes along one axis plus a noise column. */
function synthetic(rows: number, seed: number): { x: Matrix; y: Outcome[] } {
  const random = createPrng(seed);
  const data = new Float32Array(rows * 2);
  const y: Outcome[] = [];
  for (let r = 0; r < rows; r++) {
    const label = (r % 3) as Outcome;
    y.push(label);
    data[r * 2] = label - 1 + (random() - 0.5) * 1.5;
    data[r * 2 + 1] = random() - 0.5;
  }
  return { x: { data, rows, width: 2 }, y };
}

const PARAMS: TrainParams = { hidden: [8], l2: 1e-4, seed: 3, learningRate: 0.01, batchSize: 32, maxEpochs: 12, patience: 3, minDelta: 0 };

void describe('prng', () => {
  void it('is reproducible and permutes every index once', () => {
    const a = createPrng(42);
    const b = createPrng(42);
    assert.deepEqual([a(), a(), a()], [b(), b(), b()]);
    const p = permutation(100, createPrng(1));
    assert.deepEqual([...p].sort((m, n) => m - n), [...Array(100).keys()]);
    assert.notDeepEqual([...p], [...Array(100).keys()]);
  });
});

void describe('trainMlp', () => {
  before(async () => {
    await initTfBackend();
  });

  void it('learns, keeps the best epoch, and repeats exactly with the same seed', async () => {
    const train = synthetic(600, 1);
    const val = synthetic(150, 2);
    const first = await trainMlp(train.x, train.y, val.x, val.y, PARAMS);
    const second = await trainMlp(train.x, train.y, val.x, val.y, PARAMS);
    try {
      const bestLoss = Math.min(...first.epochs.map((e) => e.validationLogLoss));
      assert.equal(first.epochs[first.bestEpoch - 1]?.validationLogLoss, bestLoss);
      assert.ok(bestLoss < Math.log(3) - 0.3, `learned something: ${bestLoss}`);
      assert.deepEqual(second.epochs, first.epochs);
      const w1 = first.model.getWeights().map((w) => [...w.dataSync()]);
      const w2 = second.model.getWeights().map((w) => [...w.dataSync()]);
      assert.deepEqual(w1, w2);
      // The returned model carries the best epoch's weights, not the last epoch's.
      const kept = logLoss(tf.tidy(() => (first.model.predict(toTensor(val.x)) as tf.Tensor2D).arraySync()), val.y);
      assert.ok(Math.abs(kept - bestLoss) < 1e-6);
    } finally {
      first.model.dispose();
      second.model.dispose();
    }
  });
});

function toTensor(m: Matrix): tf.Tensor2D {
  return tf.tensor2d(m.data, [m.rows, m.width]);
}
