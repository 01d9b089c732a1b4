import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeEvent, encodeEvent } from './event-envelope.js';

describe('event envelope', () => {
  it('round-trips Nest’s {pattern, data} wire format', () => {
    const body = encodeEvent('predictor.heartbeat.v1', { pid: 1 });
    assert.deepEqual(JSON.parse(body.toString()), { pattern: 'predictor.heartbeat.v1', data: { pid: 1 } });
    assert.deepEqual(decodeEvent(body), { pattern: 'predictor.heartbeat.v1', data: { pid: 1 } });
  });

  it('refuses bodies that are not an envelope', () => {
    for (const text of ['not json', '[1]', 'null', '"x"', '{"data":{}}', '{"pattern":7,"data":{}}']) {
      assert.equal(decodeEvent(Buffer.from(text)), null, text);
    }
  });
});
