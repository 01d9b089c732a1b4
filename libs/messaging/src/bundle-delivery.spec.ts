import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RmqContext } from '@nestjs/microservices';
import type { ConsumeMessage } from 'amqplib';
import type { Delivery } from './batch-queue-consumer.js';
import { requeueParts, splitDelivery, type BundlePart } from './bundle-delivery.js';
import { MessageSettler } from './message-settler.js';

const routing = { requeueTo: 'ml', rejectTo: 'ml.dlx' };

/** A delivering channel that records publishes (confirmed at once, or refused) and settles. */
function channel(options: { refuse?: boolean } = {}) {
  const log: string[] = [];
  const published: { exchange: string; routingKey: string; body: unknown; headers: unknown; messageId: unknown }[] = [];
  return {
    log,
    published,
    ack: (m: ConsumeMessage) => log.push(`ack ${m.fields.deliveryTag}`),
    nack: (m: ConsumeMessage, _all?: boolean, requeue?: boolean) => log.push(`nack ${m.fields.deliveryTag} requeue=${String(requeue)}`),
    publish: (exchange: string, routingKey: string, content: Buffer, opts: { headers?: unknown; messageId?: unknown }, cb: (err: unknown) => void) => {
      published.push({ exchange, routingKey, body: JSON.parse(content.toString()), headers: opts.headers, messageId: opts.messageId });
      setImmediate(() => cb(options.refuse ? new Error('nacked') : null));
      return true;
    },
  };
}

function bundle(ch: ReturnType<typeof channel>, headers: Record<string, unknown> = {}): Delivery {
  const message = { fields: { deliveryTag: 7, redelivered: false, routingKey: 'ml' }, properties: { headers: { 'x-delivery-count': 0, ...headers }, messageId: 'bundle:a:3' }, content: Buffer.from('{}') } as unknown as ConsumeMessage;
  return { ctx: new RmqContext([message, ch, 'prediction.task-bundle.v1']), message, pattern: 'prediction.task-bundle.v1', data: {}, parseError: undefined };
}

const parts: BundlePart[] = ['a', 'b', 'c'].map((id) => ({ pattern: 'prediction.task.v1', data: { task_id: id, match_id: 1 }, headers: { 'mp-correlation-id': `corr-${id}` }, messageId: id }));
const settled = () => new Promise((r) => setTimeout(r, 5));

/** Waits until `done()` holds (settling goes through timers and confirm callbacks: slower on a loaded machine). */
async function until(done: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
}

describe('splitDelivery', () => {
  it('acks the bundle once, after its last part is settled, whatever each part became', async () => {
    const ch = channel();
    const settler = new MessageSettler();
    let bundleAcks = 0;
    const [a, b, c] = splitDelivery(bundle(ch), parts, routing, () => (bundleAcks += 1)) as [Delivery, Delivery, Delivery];
    assert.deepEqual([a.pattern, a.data], ['prediction.task.v1', { task_id: 'a', match_id: 1 }]);
    assert.equal(a.message.properties.headers?.['mp-correlation-id'], 'corr-a', 'each part has its own headers');
    settler.ack(a.ctx);
    settler.ack(a.ctx);
    await settler.retry(b.ctx, 'ml.retry.2000ms', 2, 'boom');
    assert.equal(bundleAcks, 0, 'one part is still out');
    await settler.deadLetter(c.ctx, 'ml.dlx', 'permanent_error', 'no such match', 1);
    assert.equal(bundleAcks, 1);
    assert.deepEqual(ch.log, [], 'nothing settled on the channel by the parts themselves');
    // The retried and dead-lettered parts went alone, as the single messages they stand for.
    assert.deepEqual(
      ch.published.map((p) => [p.exchange, p.routingKey, p.body, p.messageId]),
      [
        ['', 'ml.retry.2000ms', { pattern: 'prediction.task.v1', data: { task_id: 'b', match_id: 1 } }, 'b'],
        ['ml.dlx', '', { pattern: 'prediction.task.v1', data: { task_id: 'c', match_id: 1 } }, 'c'],
      ],
    );
    const headers = ch.published[0]!.headers as Record<string, unknown>;
    assert.equal(headers['mp-correlation-id'], 'corr-b');
    assert.equal(headers['mp-attempt'], 2);
    assert.equal(headers['x-delivery-count'], undefined, "the broker's headers stay behind");
  });

  it('hands a part back to the work queue alone, or to the dead-letter exchange when rejected', async () => {
    const ch = channel();
    const settler = new MessageSettler();
    let bundleAcks = 0;
    const [a, b, c] = splitDelivery(bundle(ch), parts, routing, () => (bundleAcks += 1)) as [Delivery, Delivery, Delivery];
    settler.requeueLater(a.ctx, 0);
    settler.reject(b.ctx);
    settler.ack(c.ctx);
    await until(() => bundleAcks > 0);
    assert.deepEqual(ch.published.map((p) => [p.exchange, p.routingKey, (p.body as { data: { task_id: string } }).data.task_id]), [
      ['ml.dlx', '', 'b'],
      ['', 'ml', 'a'],
    ]);
    assert.equal(bundleAcks, 1);
  });

  it('does not ack the bundle while a part could not be handed back (it comes back whole)', async () => {
    const ch = channel({ refuse: true });
    const settler = new MessageSettler();
    let bundleAcks = 0;
    const [a, b, c] = splitDelivery(bundle(ch), parts, routing, () => (bundleAcks += 1)) as [Delivery, Delivery, Delivery];
    settler.ack(a.ctx);
    settler.ack(b.ctx);
    settler.requeueLater(c.ctx, 0);
    await until(() => ch.published.length > 0);
    await settled();
    assert.equal(bundleAcks, 0);
  });
});

describe('requeueParts', () => {
  it('publishes every part to the work queue alone, then acks the bundle', async () => {
    const ch = channel();
    let bundleAcks = 0;
    await requeueParts(bundle(ch), parts, routing, () => (bundleAcks += 1));
    assert.deepEqual(ch.published.map((p) => [p.exchange, p.routingKey, p.messageId, (p.headers as Record<string, unknown>)['mp-correlation-id']]), [
      ['', 'ml', 'a', 'corr-a'],
      ['', 'ml', 'b', 'corr-b'],
      ['', 'ml', 'c', 'corr-c'],
    ]);
    assert.equal(bundleAcks, 1);
  });

  it('leaves the bundle unacked when a part is not confirmed', async () => {
    const ch = channel({ refuse: true });
    let bundleAcks = 0;
    await assert.rejects(requeueParts(bundle(ch), parts, routing, () => (bundleAcks += 1)));
    assert.equal(bundleAcks, 0);
  });
});
