// The property every validation fast path must have, shared by their specs (test code: imported by specs only).
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MessageValidationError } from '../validate-message.js';
import { viaJson } from './near-valid.arbitraries.js';

/**
 * What a validator does with a payload: the message it returns (and its key order: a message re-serialised
 * downstream should not change it), or the problems it refuses the payload with.
 */
export function validationOutcome<T extends object>(validate: (payload: unknown) => T, payload: unknown): { message: T; keys: string[] } | { problems: string[] } {
  try {
    const message = validate(payload);
    return { message, keys: Object.keys(message) };
  } catch (error) {
    if (error instanceof MessageValidationError) return { problems: error.problems };
    throw error;
  }
}

export interface FastPathUnderTest<T extends object> {
  /** The hand-written recogniser: the message, or undefined to leave the payload to class-validator. */
  fast: (payload: unknown) => T | undefined;
  /** The public validator (fast path, else class-validator). */
  validate: (payload: unknown) => T;
  /** `validateMessage` with the message class: the verdict to match. */
  slow: (payload: unknown) => T;
  /** Each generated payload is tried as it is and as these variants (default: through JSON, as on the wire). */
  variants?: (payload: unknown) => unknown[];
  numRuns?: number;
  /** Fewest payloads the fast path must accept, and class-validator refuse, for the run to count. */
  atLeast?: { accepted: number; refused: number };
}

/**
 * Whatever the fast path accepts, class-validator accepts too and returns equal (key order included); and the
 * public validator answers exactly as class-validator does. Both sides must be exercised, not one vacuously.
 */
export function assertAgreesWithClassValidator<T extends object>(payloads: fc.Arbitrary<unknown>, path: FastPathUnderTest<T>): void {
  const variants = path.variants ?? ((payload: unknown) => [payload, viaJson(payload)]);
  const atLeast = path.atLeast ?? { accepted: 300, refused: 300 };
  let accepted = 0;
  let refused = 0;
  fc.assert(
    fc.property(payloads, (generated) => {
      for (const payload of variants(generated)) {
        const fast = path.fast(payload);
        const expected = validationOutcome(path.slow, payload);
        if (fast !== undefined) {
          accepted++;
          assert.ok('message' in expected, `the fast path accepted what class-validator refuses: ${JSON.stringify(expected)}`);
          assert.deepStrictEqual(validationOutcome(() => fast, payload), expected);
        } else if ('problems' in expected) {
          refused++;
        }
        assert.deepStrictEqual(validationOutcome(path.validate, payload), expected);
      }
    }),
    { numRuns: path.numRuns ?? 3000 },
  );
  assert.ok(accepted >= atLeast.accepted && refused >= atLeast.refused, `accepted ${accepted}, refused ${refused}`);
}
