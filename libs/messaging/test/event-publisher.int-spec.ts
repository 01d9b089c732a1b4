// EventPublisher against the real RabbitMQ: what a consumer receives (Nest's event envelope, persistent, the
// message id and headers), a publish failing with BrokerUnavailableError while the broker is unreachable and
// never delivered late, and publishing again once the connection is back.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import amqp, { type Channel, type ChannelModel, type GetMessage } from 'amqplib';
import { Patterns } from '@app/contracts';
import { BrokerUnavailableError, EventPublisher } from '@app/messaging';
import { TcpProxy, TEST_AMQP_URL, uniquePrefix, waitFor } from '@app/testing';

const queue = `${uniquePrefix('event-publisher')}events`;
const task = (id: string) => ({ task_id: id, match_id: 7, features: { a: 1 } });

describe('EventPublisher (real RabbitMQ)', () => {
  let connection: ChannelModel;
  let channel: Channel;
  let proxy: TcpProxy;
  let publisher: EventPublisher;

  before(async () => {
    connection = await amqp.connect(TEST_AMQP_URL);
    channel = await connection.createChannel();
    await channel.assertQueue(queue, { durable: true });
    proxy = TcpProxy.inFrontOf(TEST_AMQP_URL, 5672);
    await proxy.up();
    publisher = EventPublisher.connect({ url: proxy.urlThrough(TEST_AMQP_URL) }, queue);
    await publisher.ready(5000);
  });

  after(async () => {
    await publisher.close();
    await proxy.down();
    await channel.deleteQueue(queue);
    await connection.close();
  });

  const next = (): Promise<GetMessage> => waitFor(async () => (await channel.get(queue, { noAck: true })) || undefined, 5000, 'a message on the queue');

  it('resolves once confirmed, with the event envelope, persistent, its message id and headers', async () => {
    await publisher.publish(Patterns.predictTask, task('t-1'), { messageId: 't-1', headers: { 'mp-correlation-id': 'c-1' } });
    const message = await next();
    assert.deepEqual(JSON.parse(message.content.toString()), { pattern: Patterns.predictTask, data: task('t-1') });
    assert.equal(message.properties.deliveryMode, 2);
    assert.equal(message.properties.messageId, 't-1');
    assert.equal((message.properties.headers as Record<string, unknown>)['mp-correlation-id'], 'c-1');
  });

  it('fails with BrokerUnavailableError while the broker is unreachable, delivers nothing late, then publishes again', async () => {
    await proxy.down();
    await assert.rejects(publisher.publish(Patterns.predictTask, task('t-lost'), { messageId: 't-lost', confirmTimeoutMs: 300 }), BrokerUnavailableError);
    await proxy.up();
    await publisher.ready(10_000);
    await publisher.publish(Patterns.predictTask, task('t-2'), { messageId: 't-2' });
    // Give a late copy of the failed message every chance to arrive before counting.
    await sleep(300);
    const ids: string[] = [];
    for (let m = await channel.get(queue, { noAck: true }); m; m = await channel.get(queue, { noAck: true })) ids.push(String(m.properties.messageId));
    assert.deepEqual(ids, ['t-2']);
  });
});
