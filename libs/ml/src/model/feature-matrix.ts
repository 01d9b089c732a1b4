import type { FeatureVector } from '../features/feature-vector.js';
import type { FeatureStat } from '../registry/model-metadata.js';
import { type FeatureIssues, FeatureMismatchError } from './feature-mismatch.error.js';

/** Compares an input against a signature without loading any model (e.g. at request submit time). */
export function checkFeatures(signature: readonly string[], features: Readonly<Record<string, unknown>>): FeatureIssues {
  const known = new Set(signature);
  const unknown = Object.keys(features).filter((name) => !known.has(name));
  const missing = signature.filter((name) => !Object.hasOwn(features, name));
  const invalid = signature.filter((name) => {
    const v = features[name];
    return v !== undefined && v !== null && !(typeof v === 'number' && Number.isFinite(v));
  });
  return { unknown, missing, invalid };
}

export function hasIssues(issues: FeatureIssues): boolean {
  return issues.unknown.length + issues.missing.length + issues.invalid.length > 0;
}

/**
 * Row-major model input: null becomes the training mean, then (x - mean) / std, in signature order.
 * Training and serving both go through here, so they cannot scale features differently.
 */
export function toModelInput(rows: readonly FeatureVector[], signature: readonly FeatureStat[]): Float32Array {
  const names = signature.map((s) => s.name);
  const width = signature.length;
  const out = new Float32Array(rows.length * width);
  rows.forEach((row, r) => {
    const issues = checkFeatures(names, row);
    if (hasIssues(issues)) throw new FeatureMismatchError(issues, r);
    signature.forEach((stat, c) => {
      const value = row[stat.name] ?? stat.mean;
      out[r * width + c] = (value - stat.mean) / stat.std;
    });
  });
  return out;
}
