import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { featureMismatch } from './feature-map.validator.js';

/** featureMismatch without its shortcut for the usual case: the oracle for the property. */
function referenceMismatch(signature: readonly string[], given: Record<string, unknown>): { unknown: string[]; missing: string[] } {
  const expected = new Set(signature);
  return {
    unknown: Object.keys(given).filter((k) => !expected.has(k)).sort(),
    missing: signature.filter((k) => !Object.hasOwn(given, k)).sort(),
  };
}

const NAMES = ['a', 'b', 'c', 'd', 'toString'];
/** Signatures, a name now and then listed twice. */
const signature = fc.oneof(
  { weight: 5, arbitrary: fc.uniqueArray(fc.constantFrom(...NAMES), { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(...NAMES), { maxLength: 4 }) },
);
/** Maps that mostly list the signature in its order, else another order, one name fewer or more, or inherited names. */
const case_ = signature.chain((names) =>
  fc.tuple(
    fc.constant(names),
    fc.record({
      shuffled: fc.oneof({ weight: 3, arbitrary: fc.constant(names) }, { weight: 1, arbitrary: fc.shuffledSubarray(names) }),
      extra: fc.option(fc.constantFrom(...NAMES), { freq: 4 }),
      inherited: fc.option(fc.uniqueArray(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 2 }), { freq: 4 }),
    }),
  ),
);

void describe('featureMismatch', () => {
  void it('names the same unknown and missing features as a full comparison, inherited names included', () => {
    let matching = 0;
    let mismatched = 0;
    fc.assert(
      fc.property(case_, ([names, { shuffled, extra, inherited }]) => {
        const proto = inherited ? Object.fromEntries(inherited.map((n) => [n, 1])) : Object.prototype;
        const given = Object.create(proto) as Record<string, unknown>;
        for (const name of [...shuffled, ...(extra === null ? [] : [extra])]) Object.defineProperty(given, name, { value: 1, enumerable: true, configurable: true });
        const expected = referenceMismatch(names, given);
        assert.deepStrictEqual(featureMismatch(names, given), expected);
        if (expected.unknown.length + expected.missing.length === 0) matching++;
        else mismatched++;
      }),
      { numRuns: 2000 },
    );
    assert.ok(matching > 300 && mismatched > 300, `matching ${matching}, mismatched ${mismatched}`);
  });
});
