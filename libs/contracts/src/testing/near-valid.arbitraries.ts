// fast-check building blocks shared by the fast-path property tests (test code: imported by specs only).
import fc from 'fast-check';

/** A JSON text parsed as the consumer gets it: a "__proto__" key becomes an own field, as it would on the wire. */
export const viaJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

/** Sets `key` as an own field, even "__proto__". */
export function withField(target: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  return target;
}

export const anyJson = fc.jsonValue({ maxDepth: 2 });

/** Mostly `valid`, so that whole messages are often valid; each wrong form now and then. */
export const mostly = <T>(valid: fc.Arbitrary<T>, ...wrong: fc.Arbitrary<unknown>[]): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 12 * wrong.length, arbitrary: valid }, ...wrong.map((arbitrary) => ({ weight: 1, arbitrary })));

/** Usually nothing (null), sometimes `value`. */
export const rarely = <T>(value: fc.Arbitrary<T>): fc.Arbitrary<T | null> =>
  fc.oneof({ weight: 10, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: value });
