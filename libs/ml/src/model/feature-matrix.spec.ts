import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { FeatureVector } from '../features/feature-vector.js';
import type { FeatureStat } from '../registry/model-metadata.js';
import { checkFeatures, hasIssues, toModelInput } from './feature-matrix.js';
import { FeatureMismatchError } from './feature-mismatch.error.js';

const SIGNATURE: FeatureStat[] = [
  { name: 'elo_diff', mean: 60, std: 120 },
  { name: 'home_ppg_5', mean: 1.4, std: 0.5 },
  { name: 'away_ppg_5', mean: 1.2, std: 0.5 },
];
const ROW: FeatureVector = { elo_diff: 180, home_ppg_5: 1.9, away_ppg_5: 0.7 };

/** toModelInput as it was before its fast path (a Set and three lists per row): the oracle for the property. */
function referenceModelInput(rows: readonly FeatureVector[], signature: readonly FeatureStat[]): Float32Array {
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

/** The matrix, or the error with everything a caller reads from it. */
function outcome(build: () => Float32Array): { matrix: number[] } | { error: { message: string; row: number; issues: unknown } } {
  try {
    return { matrix: Array.from(build()) };
  } catch (error) {
    assert.ok(error instanceof FeatureMismatchError, String(error));
    return { error: { message: error.message, row: error.row, issues: error.issues } };
  }
}

// --- Generators: signatures (a name may repeat) and rows that mostly fit them, in or out of order ---------

const NAMES = ['elo_diff', 'home_ppg_5', 'away_ppg_5', 'odds_home', 'constructor', 'toString'];
const value = fc.oneof(
  { weight: 12, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 3, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constantFrom(undefined, Number.NaN, Infinity, -Infinity, '1', true, {}) },
);
const stat = (name: string) => fc.record({ name: fc.constant(name), mean: fc.double({ min: -100, max: 100, noNaN: true }), std: fc.double({ min: 0, max: 100, noNaN: true }) });
const signature = fc
  .oneof({ weight: 5, arbitrary: fc.uniqueArray(fc.constantFrom(...NAMES), { maxLength: 5 }) }, { weight: 1, arbitrary: fc.array(fc.constantFrom(...NAMES), { maxLength: 5 }) })
  .chain((names) => fc.tuple(...names.map(stat)));

/** Own keys as the signature lists them (mostly), shuffled, with one missing or one extra; sometimes inherited ones. */
function row(names: readonly string[]): fc.Arbitrary<FeatureVector> {
  return fc
    .record({
      values: fc.array(value, { minLength: names.length, maxLength: names.length }),
      shuffle: fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.array(fc.double({ noNaN: true }), { minLength: names.length, maxLength: names.length }) }),
      drop: fc.oneof({ weight: 8, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: fc.nat({ max: Math.max(0, names.length - 1) }) }),
      extra: fc.oneof({ weight: 8, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...NAMES), value) }),
      inherited: fc.oneof({ weight: 8, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.dictionary(fc.constantFrom(...NAMES), value, { maxKeys: 2 }) }),
    })
    .map(({ values, shuffle, drop, extra, inherited }) => {
      let entries = names.map((name, i): [string, unknown] => [name, values[i]]);
      if (shuffle) entries = entries.map((entry, i) => ({ entry, key: shuffle[i]! })).sort((a, b) => a.key - b.key).map(({ entry }) => entry);
      if (drop >= 0) entries.splice(drop, 1);
      if (extra) entries.push(extra);
      const target = (inherited ? Object.create(inherited) : {}) as Record<string, unknown>;
      for (const [name, v] of entries) Object.defineProperty(target, name, { value: v, enumerable: true, writable: true, configurable: true });
      return target as FeatureVector;
    });
}

const batches = signature.chain((stats) => fc.tuple(fc.constant(stats), fc.array(row(stats.map((s) => s.name)), { maxLength: 5 })));

// ----------------------------------------------------------------------------------------------------------

void describe('toModelInput', () => {
  void it('builds the same matrix, or throws the same FeatureMismatchError, as the full check of every row', () => {
    let built = 0;
    let refused = 0;
    fc.assert(
      fc.property(batches, ([stats, rows]) => {
        const expected = outcome(() => referenceModelInput(rows, stats));
        assert.deepStrictEqual(outcome(() => toModelInput(rows, stats)), expected);
        if ('matrix' in expected) built++;
        else refused++;
      }),
      { numRuns: 3000 },
    );
    assert.ok(built > 500 && refused > 500, `built ${built}, refused ${refused}`);
  });

  void it('scales each row, imputing null (or an undefined value) with the training mean', () => {
    const matrix = toModelInput([ROW, { elo_diff: null, home_ppg_5: undefined as unknown as null, away_ppg_5: 1.2 }], SIGNATURE);
    assert.deepEqual(Array.from(matrix), Array.from(new Float32Array([1, 1, -1, 0, 0, 0])));
  });

  void it('reads a row whatever the order of its keys', () => {
    const reordered: FeatureVector = { away_ppg_5: 0.7, elo_diff: 180, home_ppg_5: 1.9 };
    assert.deepEqual(toModelInput([reordered], SIGNATURE), toModelInput([ROW], SIGNATURE));
  });

  void it('names the first bad row of a batch and what is wrong with it', () => {
    const rows: FeatureVector[] = [ROW, ROW, ROW, { ...ROW, odds_home: 2.1 }, { elo_diff: 1 }];
    assert.throws(
      () => toModelInput(rows, SIGNATURE),
      (error: unknown) =>
        error instanceof FeatureMismatchError &&
        error.row === 3 &&
        error.message === 'Features do not match the model signature (row 3): unknown: odds_home' &&
        error.issues.missing.length === 0 &&
        error.issues.invalid.length === 0,
    );
  });

  void it('does not take a value from the prototype for a missing feature', () => {
    const inherited = Object.assign(Object.create({ away_ppg_5: 1 }) as FeatureVector, { elo_diff: 1, home_ppg_5: 1 });
    assert.throws(
      () => toModelInput([inherited], SIGNATURE),
      (error: unknown) => error instanceof FeatureMismatchError && error.message === 'Features do not match the model signature (row 0): missing: away_ppg_5',
    );
  });
});
