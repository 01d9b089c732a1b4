import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
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

  it('uses the client header when given, whatever the body', () => {
    assert.equal(idempotencyKeyOf({ match_id: 1 }, 'k-1'), idempotencyKeyOf({ match_id: 2 }, 'k-1'));
    assert.match(idempotencyKeyOf({ match_id: 1 }, 'k-1'), /^client:[0-9a-f]{64}$/);
  });
});
