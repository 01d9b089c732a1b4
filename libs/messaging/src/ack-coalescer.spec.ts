import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConfirmChannel, Message } from 'amqplib';
import { AckCoalescer } from './ack-coalescer.js';

/** A channel that records what goes on the wire. */
function wire() {
  const sent: string[] = [];
  const channel = {
    ack: (m: Message, allUpTo?: boolean) => void sent.push(`ack ${m.fields.deliveryTag}${allUpTo ? ' multiple' : ''}`),
    nack: (m: Message, _allUpTo?: boolean, requeue?: boolean) => void sent.push(`nack ${m.fields.deliveryTag}${requeue ? ' requeue' : ''}`),
    publish: () => true,
  } as unknown as ConfirmChannel;
  return { channel, sent };
}

const message = (deliveryTag: number) => ({ fields: { deliveryTag } }) as Message;
const nextTurn = () => new Promise((r) => setImmediate(r));

function deliver(acks: AckCoalescer, ...tags: number[]): Message[] {
  return tags.map((t) => {
    const m = message(t);
    acks.delivered(m);
    return m;
  });
}

describe('AckCoalescer', () => {
  it("sends a whole batch's acks as one multiple-ack", async () => {
    const { channel, sent } = wire();
    const acks = new AckCoalescer(channel);
    for (const m of deliver(acks, 1, 2, 3, 4)) acks.ack(m);
    assert.deepEqual(sent, [], 'nothing before the turn ends');
    await nextTurn();
    assert.deepEqual(sent, ['ack 4 multiple']);
    assert.equal(acks.unsettledCount, 0);
  });

  it('never multiple-acks past a delivery still in flight: later acks go out one by one', async () => {
    const { channel, sent } = wire();
    const acks = new AckCoalescer(channel);
    const [m1, m2, m3, m4] = deliver(acks, 1, 2, 3, 4);
    acks.ack(m1!);
    acks.ack(m3!);
    acks.ack(m4!);
    await nextTurn();
    assert.deepEqual(sent, ['ack 1 multiple', 'ack 3', 'ack 4']);
    assert.equal(acks.unsettledCount, 1, 'only 2 is left');
    acks.ack(m2!);
    await nextTurn();
    assert.deepEqual(sent.slice(3), ['ack 2 multiple']);
  });

  it('sends nacks at once and coalesces the acks around them', async () => {
    const { channel, sent } = wire();
    const acks = new AckCoalescer(channel);
    const [m1, m2, m3] = deliver(acks, 1, 2, 3);
    acks.nack(m2!, false, true);
    acks.ack(m1!);
    acks.ack(m3!);
    await nextTurn();
    assert.deepEqual(sent, ['nack 2 requeue', 'ack 3 multiple']);
    assert.equal(acks.unsettledCount, 0);
  });

  it('coalesces acks of overlapping batches once the earlier one is settled', async () => {
    const { channel, sent } = wire();
    const acks = new AckCoalescer(channel);
    const first = deliver(acks, 1, 2);
    const second = deliver(acks, 3, 4);
    for (const m of first) acks.ack(m);
    await nextTurn();
    for (const m of second) acks.ack(m);
    await nextTurn();
    assert.deepEqual(sent, ['ack 2 multiple', 'ack 4 multiple']);
  });

  it('survives a closed channel: the broker redelivers what it did not see settled', async () => {
    const channel = { ack: () => { throw new Error('Channel closed'); }, nack: () => undefined, publish: () => true } as unknown as ConfirmChannel;
    const acks = new AckCoalescer(channel);
    for (const m of deliver(acks, 1, 2)) acks.ack(m);
    await nextTurn();
    assert.equal(acks.unsettledCount, 0);
  });
});
