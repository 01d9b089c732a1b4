import type { FeatureVector } from '../features/feature-vector.js';
import type { FeatureStat } from '../registry/model-metadata.js';
import { createPrng } from '../training/prng.js';

/**
 * A fixed batch of feature vectors for a signature: all means, all null, two extreme rows (±6 std), then rows
 * with each feature drawn within ±3 std and about one value in seven null. Same signature, same batch.
 */
export function parityFeatureBatch(signature: readonly FeatureStat[], rows = 64): FeatureVector[] {
  const random = createPrng(20_240_401);
  const at = (z: number | null): FeatureVector =>
    Object.fromEntries(signature.map((s) => [s.name, z === null ? null : s.mean + z * s.std]));
  const batch = [at(0), at(null), at(6), at(-6)];
  while (batch.length < rows) {
    batch.push(Object.fromEntries(signature.map((s) => [s.name, random() < 1 / 7 ? null : s.mean + (random() * 6 - 3) * s.std])));
  }
  return batch;
}
