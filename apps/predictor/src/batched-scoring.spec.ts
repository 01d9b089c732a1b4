import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadModel, repoRoot, type FeatureVector } from '@app/ml';
import { join } from 'node:path';
import { InferenceBatcher } from './inference-batcher.js';

describe('batched scoring with the shipped model', () => {
  it('gives the same probabilities as scoring each row alone', async () => {
    const model = await loadModel(join(repoRoot(), 'models'), 'match-outcome@champion');
    try {
      const signature = model.metadata.feature_signature;
      // 64 varied rows around the training distribution, some with nulls (imputed).
      const rows: FeatureVector[] = Array.from({ length: 64 }, (_, r) =>
        Object.fromEntries(signature.map((f, k) => [f.name, (r + k) % 11 === 0 ? null : f.mean + f.std * Math.sin(r * 7 + k)])),
      );
      const alone = rows.map((row) => model.predict([row])[0]!);
      const batcher = new InferenceBatcher({ maxSize: 64, windowMs: 50 }, (m: typeof model, batch) => m.predict(batch));
      const batched = await Promise.all(rows.map((row) => batcher.score(model, row, false)));
      let maxDiff = 0;
      for (let r = 0; r < rows.length; r += 1) for (let c = 0; c < 3; c += 1) maxDiff = Math.max(maxDiff, Math.abs(batched[r]![c]! - alone[r]![c]!));
      assert.ok(maxDiff < 1e-6, `max difference ${maxDiff}`);
    } finally {
      model.dispose();
    }
  });
});
