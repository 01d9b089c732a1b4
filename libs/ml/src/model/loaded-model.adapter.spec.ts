import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FeatureVector } from '../features/feature-vector.js';
import { ModelRegistry } from '../registry/model.registry.js';
import { fixtureMetadata } from '../testing/model-fixture.js';
import { initTfBackend } from '../tf/tf-backend.js';
import { toModelInput } from './feature-matrix.js';
import { FeatureMismatchError } from './feature-mismatch.error.js';
import { type LoadedModel, loadModel } from './loaded-model.adapter.js';
import { buildMlp } from './mlp.js';
import { captureArtifacts } from './model-artifacts.js';

const SIGNATURE = [
  { name: 'elo_diff', mean: 60, std: 120 },
  { name: 'home_ppg_5', mean: 1.4, std: 0.6 },
  { name: 'away_ppg_5', mean: 1.2, std: 0.6 },
];

const ROWS: FeatureVector[] = [
  { elo_diff: 200, home_ppg_5: 2.4, away_ppg_5: 0.6 },
  { elo_diff: -150, home_ppg_5: 0.8, away_ppg_5: 2.2 },
  { elo_diff: 60, home_ppg_5: null, away_ppg_5: 1.2 },
];

void describe('initTfBackend', () => {
  void it('selects one backend per process, falling back to wasm without tfjs-node', async () => {
    const first = initTfBackend();
    assert.equal(initTfBackend({ prefer: 'cpu' }), first, 'idempotent: later calls share the first selection');
    const backend = await first;
    assert.ok(['tensorflow', 'wasm', 'cpu'].includes(backend));
    assert.equal(tf.getBackend(), backend);
  });
});

void describe('LoadedModel', () => {
  let root = '';
  let expected: number[][] = [];
  let loaded: LoadedModel;
  before(async () => {
    await initTfBackend();
    root = await mkdtemp(join(tmpdir(), 'ml-model-'));
    const model = buildMlp(SIGNATURE.length, { hidden: [8, 4], l2: 0, seed: 7 });
    expected = tf.tidy(() => {
      const x = tf.tensor2d(toModelInput(ROWS, SIGNATURE), [ROWS.length, SIGNATURE.length]);
      return (model.predict(x) as tf.Tensor).arraySync() as number[][];
    });
    const registry = new ModelRegistry(root);
    const { version } = await registry.register('toy', await captureArtifacts(model), fixtureMetadata(SIGNATURE, 'toy-run'));
    await registry.setAlias('toy', 'champion', version);
    model.dispose();
    loaded = await loadModel(root, 'toy@champion');
  });
  after(async () => {
    loaded.dispose();
    await rm(root, { recursive: true, force: true });
  });

  void it('round-trips through the registry with the same predictions', () => {
    const got = loaded.predict(ROWS);
    assert.equal(got.length, ROWS.length);
    got.forEach((row, r) => row.forEach((p, c) => assert.ok(Math.abs(p - expected[r]![c]!) < 1e-6, `row ${r} class ${c}`)));
  });

  void it('returns three probabilities per row that sum to 1', () => {
    for (const row of loaded.predict(ROWS)) {
      assert.equal(row.length, 3);
      assert.ok(row.every((p) => p > 0 && p < 1));
      assert.ok(Math.abs(row[0]! + row[1]! + row[2]! - 1) < 1e-12);
    }
    assert.deepEqual(loaded.predict([]), []);
  });

  void it('imputes null with the training mean', () => {
    const [withNull, withMean] = loaded.predict([
      { elo_diff: 10, home_ppg_5: null, away_ppg_5: null },
      { elo_diff: 10, home_ppg_5: 1.4, away_ppg_5: 1.2 },
    ]);
    assert.deepEqual(withNull, withMean);
  });

  void it('rejects unknown, missing and non-numeric features, naming them', () => {
    assert.throws(
      () => loaded.predict([ROWS[0]!, { elo_diff: 1, home_ppg_5: 1, odds_home: 2.1 }]),
      (err: unknown) =>
        err instanceof FeatureMismatchError &&
        err.row === 1 &&
        err.issues.unknown.join() === 'odds_home' &&
        err.issues.missing.join() === 'away_ppg_5',
    );
    assert.throws(
      () => loaded.predict([{ elo_diff: Number.NaN, home_ppg_5: 1, away_ppg_5: 1 }]),
      (err: unknown) => err instanceof FeatureMismatchError && err.issues.invalid.join() === 'elo_diff',
    );
  });

  void it('reports what it serves', () => {
    assert.equal(loaded.metadata.name, 'toy');
    assert.equal(loaded.metadata.version, 1);
    assert.equal(loaded.metadata.run_id, 'toy-run');
    assert.equal(loaded.alias, 'champion');
    assert.equal(loaded.backend, tf.getBackend());
    assert.deepEqual(loaded.featureNames, ['elo_diff', 'home_ppg_5', 'away_ppg_5']);
  });
});
