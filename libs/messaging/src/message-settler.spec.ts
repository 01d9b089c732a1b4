import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RmqContext } from '@nestjs/microservices';
import { MessageValidationError } from '@app/contracts';
import { MessageSettler } from './message-settler.js';

/** A delivery on a channel that records what it was told. */
function delivery() {
  const calls: string[] = [];
  const channel = { ack: () => calls.push('ack'), nack: (_m: unknown, _all: boolean, requeue: boolean) => calls.push(requeue ? 'nack requeue' : 'nack') };
  const ctx = new RmqContext([{ fields: {}, properties: {}, content: Buffer.from('{}') }, channel, 'p']);
  return { ctx, calls };
}

describe('MessageSettler.settleFailedEvent', () => {
  it('rejects an event whose payload is invalid, at once and without requeue', () => {
    const settler = new MessageSettler();
    const { ctx, calls } = delivery();
    assert.equal(settler.settleFailedEvent(ctx, new MessageValidationError(['attempt must be an integer'])), 'rejected');
    assert.deepEqual(calls, ['nack']);
  });

  it('requeues after a pause on any other failure: settled now, nothing sent yet', () => {
    const settler = new MessageSettler();
    const { ctx, calls } = delivery();
    assert.equal(settler.settleFailedEvent(ctx, new Error('Connection is closed.')), 'requeued');
    assert.equal(settler.isSettled(ctx), true);
    assert.deepEqual(calls, []);
  });
});
