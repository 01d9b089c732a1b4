import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MessageValidationError } from '@app/contracts';
import { RpcFailure, toRpcErrorPayload } from './rpc-failure.js';
import { attemptOf } from './message-headers.js';

describe('toRpcErrorPayload', () => {
  it('passes typed failures through with their details', () => {
    assert.deepEqual(toRpcErrorPayload(new RpcFailure('unknown_match', 'no such match', { id: 1 })), {
      code: 'unknown_match',
      message: 'no such match',
      details: { id: 1 },
    });
  });

  it('reports validation problems as invalid_message', () => {
    const payload = toRpcErrorPayload(new MessageValidationError(['match_id must be an integer']));
    assert.equal(payload.code, 'invalid_message');
    assert.deepEqual(payload.details, { problems: ['match_id must be an integer'] });
  });

  it('hides anything else behind a bare internal error', () => {
    const payload = toRpcErrorPayload(new Error('ECONNRESET at /srv/secret/path.js:12'));
    assert.deepEqual(payload, { code: 'internal', message: 'internal error' });
  });
});

describe('attemptOf', () => {
  it('reads our attempt header and defaults to the first attempt', () => {
    assert.equal(attemptOf(undefined), 1);
    assert.equal(attemptOf({ 'mp-attempt': 3 }), 3);
    assert.equal(attemptOf({ 'mp-attempt': 'junk' }), 1);
    assert.equal(attemptOf({ 'mp-attempt': 0 }), 1);
  });
});
