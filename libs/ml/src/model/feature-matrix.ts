import type { FeatureVector } from '../features/feature-vector.js';
import type { FeatureStat } from '../registry/model-metadata.js';
import { type FeatureIssues, FeatureMismatchError } from './feature-mismatch.error.js';

/** Compares an input against a signature without loading any model (e.g. at request submit time). */
export function checkFeatures(signature: readonly string[], features: Readonly<Record<string, unknown>>): FeatureIssues {
  const known = new Set(signature);
  const unknown = Object.keys(features).filter((name) => !known.has(name));
  const missing = signature.filter((name) => !Object.hasOwn(features, name));
  const invalid = signature.filter((name) => !isUsableValue(features[name]));
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
  const width = signature.length;
  const out = new Float32Array(rows.length * width);
  let names: string[] | undefined;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    if (scaleInSignatureOrder(row, signature, out, r * width)) continue;
    names ??= signature.map((s) => s.name);
    const issues = checkFeatures(names, row);
    if (hasIssues(issues)) throw new FeatureMismatchError(issues, r);
    signature.forEach((stat, c) => {
      out[r * width + c] = scaled(row[stat.name], stat);
    });
  }
  return out;
}

/**
 * The usual row (from the match history, or from a client that lists features as the model does) in one
 * cheap pass, without checkFeatures' set and lists: true if `row`'s own keys are exactly the signature's
 * names in signature order and every value is usable, and then its scaled values are in `out`. False says
 * nothing about the row but leaves `out` to be rewritten.
 */
function scaleInSignatureOrder(row: FeatureVector, signature: readonly FeatureStat[], out: Float32Array, offset: number): boolean {
  let c = 0;
  // for...in yields the own keys first, in Object.keys order, then enumerable inherited ones: so when the
  // last key seen is an own key, every key seen was (checked that way to spare a key list per row).
  for (const name in row) {
    const stat = signature[c];
    if (stat === undefined || name !== stat.name) return false;
    const value: unknown = row[name];
    if (!isUsableValue(value)) return false;
    out[offset + c] = scaled(value as number | null | undefined, stat);
    c += 1;
  }
  return c === signature.length && (c === 0 || Object.hasOwn(row, signature[c - 1]!.name));
}

/** What the model may be given for a feature: a finite number, or null (or undefined) for "unknown". */
function isUsableValue(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'number' && Number.isFinite(v));
}

function scaled(value: number | null | undefined, stat: FeatureStat): number {
  return ((value ?? stat.mean) - stat.mean) / stat.std;
}
