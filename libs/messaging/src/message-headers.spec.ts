import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isValidCorrelationId } from '@app/contracts';
import { correlationHeaders, correlationIdOf, Headers } from './message-headers.js';

describe('correlation id message header', () => {
  it('accepts short ids of letters, digits and . _ : - only', () => {
    for (const ok of ['abc-123', '6f1c1a52-8a1e-4c7e-9d0a-6f0f7b1c2d3e', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'a', 'x'.repeat(128), 'svc:req.1_2']) {
      assert.ok(isValidCorrelationId(ok), ok);
    }
    for (const bad of ['', 'x'.repeat(129), 'has space', 'line\nbreak', 'quote"d', 'semi;colon', 'ünïcode', 'a/b', undefined, 42, ['abc']]) {
      assert.ok(!isValidCorrelationId(bad), JSON.stringify(bad));
    }
  });

  it('round-trips through the mp-correlation-id header, as a string or a Buffer', () => {
    const headers = correlationHeaders('abc-123');
    assert.deepEqual(headers, { 'mp-correlation-id': 'abc-123' });
    assert.equal(Headers.correlationId, 'mp-correlation-id');
    assert.equal(correlationIdOf(headers), 'abc-123');
    assert.equal(correlationIdOf({ [Headers.correlationId]: Buffer.from('abc-123') }), 'abc-123');
  });

  it('publishes no header without a valid id, and reads none from a missing or malformed one', () => {
    assert.deepEqual(correlationHeaders(undefined), {});
    assert.deepEqual(correlationHeaders('bad id'), {});
    assert.equal(correlationIdOf(undefined), undefined);
    assert.equal(correlationIdOf({}), undefined);
    assert.equal(correlationIdOf({ [Headers.correlationId]: 'x'.repeat(500) }), undefined);
    assert.equal(correlationIdOf({ [Headers.correlationId]: '{"not":"an id"}' }), undefined);
  });
});
