import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { idempotencyKeyOf } from './idempotency-key.js';

describe('idempotencyKeyOf', () => {
  it('ignores the order of feature keys', () => {
    assert.equal(
      idempotencyKeyOf({ match_id: 1, features: { a: 1, b: null } }, undefined),
      idempotencyKeyOf({ match_id: 1, features: { b: null, a: 1 } }, undefined),
    );
  });

  it('tells different matches, features and no-features apart', () => {
    const keys = new Set([
      idempotencyKeyOf({ match_id: 1 }, undefined),
      idempotencyKeyOf({ match_id: 2 }, undefined),
      idempotencyKeyOf({ match_id: 1, features: { a: 1 } }, undefined),
      idempotencyKeyOf({ match_id: 1, features: { a: 2 } }, undefined),
      idempotencyKeyOf({ match_id: 1, features: {} }, undefined),
    ]);
    assert.equal(keys.size, 5);
  });

  it('is the same key exactly when the canonical request (match, sorted features as JSON) is the same', () => {
    const name = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('a', 'b', 'a,b', '"', '|', '0'));
    const value = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(null), fc.constantFrom(0, -0, 1, 2));
    const request = fc.record({ match_id: fc.integer({ min: 1, max: 3 }), features: fc.option(fc.dictionary(name, value, { maxKeys: 4 }), { nil: undefined }) });
    const canonical = (r: { match_id: number; features?: Record<string, number | null> }) =>
      JSON.stringify([r.match_id, r.features && Object.keys(r.features).sort().map((k) => [k, r.features?.[k]])]);
    fc.assert(
      fc.property(request, request, (a, b) => {
        assert.equal(idempotencyKeyOf(a, undefined) === idempotencyKeyOf(b, undefined), canonical(a) === canonical(b));
      }),
      { numRuns: 2000 },
    );
    // Random pairs are mostly different requests; the same request with its names reordered must match.
    fc.assert(
      fc.property(request, fc.infiniteStream(fc.double()), (a, order) => {
        const shuffled = a.features && Object.fromEntries(Object.entries(a.features).map((e) => [e, order.next().value as number] as const).sort((x, y) => x[1] - y[1]).map(([e]) => e));
        assert.equal(idempotencyKeyOf({ ...a, features: shuffled }, undefined), idempotencyKeyOf(a, undefined));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps the same key when the same names come in another order after a reused sort', () => {
    const first = idempotencyKeyOf({ match_id: 9, features: { x: 1, y: 2, z: null } }, undefined);
    assert.equal(idempotencyKeyOf({ match_id: 9, features: { x: 1, y: 2, z: null } }, undefined), first);
    assert.equal(idempotencyKeyOf({ match_id: 9, features: { z: null, y: 2, x: 1 } }, undefined), first);
    assert.notEqual(idempotencyKeyOf({ match_id: 9, features: { x: 1, y: null, z: 2 } }, undefined), first);
  });

  it('uses the client header when given, whatever the body', () => {
    assert.equal(idempotencyKeyOf({ match_id: 1 }, 'k-1'), idempotencyKeyOf({ match_id: 2 }, 'k-1'));
    assert.match(idempotencyKeyOf({ match_id: 1 }, 'k-1'), /^client:[0-9a-f]{64}$/);
  });
});
