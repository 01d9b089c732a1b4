import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type { AmqpConnectionManager, CreateChannelOpts } from 'amqp-connection-manager';
import type { Channel, ConsumeMessage, Options } from 'amqplib';
import { BrokerUnavailableError } from './broker-unavailable.error.js';
import { DirectRpcClient } from './direct-rpc-client.js';
import { RpcRemoteError, RpcTimeoutError } from './rpc-client.js';

interface Sent {
  queue: string;
  body: { pattern: string; data: unknown; id: string };
  properties: Options.Publish;
}

/** An amqplib channel that records requests and lets the test deliver replies on direct reply-to. */
class FakeChannel extends EventEmitter {
  readonly sent: Sent[] = [];
  consumer: ((message: ConsumeMessage | null) => void) | undefined;
  consumeOptions: Options.Consume | undefined;
  failSends = false;

  consume(queue: string, onMessage: (message: ConsumeMessage | null) => void, options: Options.Consume): Promise<{ consumerTag: string }> {
    assert.equal(queue, 'amq.rabbitmq.reply-to');
    this.consumer = onMessage;
    this.consumeOptions = options;
    return Promise.resolve({ consumerTag: 'c' });
  }

  sendToQueue(queue: string, content: Buffer, properties: Options.Publish): boolean {
    if (this.failSends) throw new Error('Channel closed');
    this.sent.push({ queue, body: JSON.parse(content.toString()) as Sent['body'], properties });
    return true;
  }

  reply(correlationId: string, packet: unknown): void {
    this.consumer?.({ content: Buffer.from(JSON.stringify(packet)), properties: { correlationId }, fields: {} } as unknown as ConsumeMessage);
  }

  lastId(): string {
    const id = this.sent.at(-1)?.body.id;
    assert.ok(id);
    return id;
  }
}

/** A connection manager whose channel setup the test runs, as amqp-connection-manager does on (re)connect. */
function fakeBroker() {
  let setup: ((channel: Channel) => Promise<void>) | undefined;
  const wrapper = Object.assign(new EventEmitter(), {
    waitForConnect: () => Promise.resolve(),
    close: () => Promise.resolve(),
  });
  const connection = {
    createChannel: (options: CreateChannelOpts) => {
      assert.equal(options.confirm, false, 'requests need no publisher confirm: the reply is one');
      setup = options.setup as (channel: Channel) => Promise<void>;
      return wrapper;
    },
  } as unknown as AmqpConnectionManager;
  return {
    connection,
    async connect(): Promise<FakeChannel> {
      const channel = new FakeChannel();
      assert.ok(setup);
      await setup(channel as unknown as Channel);
      return channel;
    },
  };
}

async function connected(queue = 'q.rpc') {
  const broker = fakeBroker();
  const client = new DirectRpcClient(broker.connection, queue);
  const channel = await broker.connect();
  return { broker, client, channel };
}

// The client is typed by the contracts' RpcMap; these tests use the patterns' wire form with test payloads.
const PREDICT = 'prediction.predict.v1' as never;

describe('DirectRpcClient', () => {
  it("sends Nest's request: {pattern, data, id}, direct reply-to, correlationId = id, expiring with the deadline, transient", async () => {
    const { client, channel } = await connected();
    assert.deepEqual(channel.consumeOptions, { noAck: true });
    const reply = client.call(PREDICT, { match_id: 1 } as never, { timeoutMs: 2500.2, headers: { 'mp-correlation-id': 'c-1' }, messageId: 'm-1' });
    const [sent] = channel.sent;
    assert.ok(sent);
    assert.equal(sent.queue, 'q.rpc');
    assert.deepEqual(sent.body, { pattern: 'prediction.predict.v1', data: { match_id: 1 }, id: sent.properties.correlationId });
    assert.deepEqual(sent.properties, {
      replyTo: 'amq.rabbitmq.reply-to',
      correlationId: sent.body.id,
      expiration: '2501',
      persistent: false,
      messageId: 'm-1',
      headers: { 'mp-correlation-id': 'c-1' },
    });
    channel.reply(sent.body.id, { id: sent.body.id, response: { ok: true }, isDisposed: true });
    assert.deepEqual(await reply, { ok: true });
    assert.equal(client.pendingCount, 0);
  });

  it('lets expirationMs differ from the deadline, and never sends an expiration below 1 ms', async () => {
    const { client, channel } = await connected();
    const a = client.call(PREDICT, {} as never, { timeoutMs: 1000, expirationMs: 400 });
    const b = client.call(PREDICT, {} as never, { timeoutMs: 1000, expirationMs: 0 });
    assert.deepEqual(
      channel.sent.map((s) => s.properties.expiration),
      ['400', '1'],
    );
    for (const s of channel.sent) channel.reply(s.body.id, { response: 1, isDisposed: true });
    await Promise.all([a, b]);
  });

  it('matches concurrent replies to their calls by correlation id, in any order', async () => {
    const { client, channel } = await connected();
    const calls = [1, 2, 3, 4, 5].map((n) => client.call(PREDICT, { n } as never, { timeoutMs: 5000 }));
    assert.equal(new Set(channel.sent.map((s) => s.body.id)).size, 5, 'a distinct id per call');
    for (const s of [...channel.sent].reverse()) channel.reply(s.body.id, { response: { echo: s.body.data }, isDisposed: true });
    assert.deepEqual(await Promise.all(calls), [1, 2, 3, 4, 5].map((n) => ({ echo: { n } })));
  });

  it('rejects with RpcRemoteError carrying the payload for a typed error reply', async () => {
    const { client, channel } = await connected();
    const reply = client.call(PREDICT, {} as never, { timeoutMs: 5000 });
    const err = { code: 'invalid_features', message: 'missing home_elo', details: { missing: ['home_elo'] } };
    channel.reply(channel.lastId(), { err, isDisposed: true });
    const error: unknown = await reply.catch((e: unknown) => e);
    assert.ok(error instanceof RpcRemoteError);
    assert.deepEqual(error.payload, err);
    assert.equal(error.message, 'missing home_elo');
  });

  it("classifies an untyped error reply (Nest's 'no handler') as Nest's client did: broker unavailable", async () => {
    const { client, channel } = await connected();
    const reply = client.call(PREDICT, {} as never, { timeoutMs: 5000 });
    channel.reply(channel.lastId(), { status: 'error', err: 'There is no matching message handler defined in the remote service.' });
    await assert.rejects(reply, BrokerUnavailableError);
  });

  it("takes an Observable's first value and ignores its later frames; an empty stream is no reply", async () => {
    const { client, channel } = await connected();
    const first = client.call(PREDICT, {} as never, { timeoutMs: 5000 });
    const id = channel.lastId();
    channel.reply(id, { id, response: 'a' });
    channel.reply(id, { id, response: 'b' });
    channel.reply(id, { id, isDisposed: true });
    assert.equal(await first, 'a');
    const empty = client.call(PREDICT, {} as never, { timeoutMs: 5000 });
    channel.reply(channel.lastId(), { isDisposed: true });
    await assert.rejects(empty, (e: unknown) => e instanceof BrokerUnavailableError && /ended without a reply/.test(e.message));
    assert.equal(client.pendingCount, 0);
  });

  it('rejects with RpcTimeoutError at the deadline and drops a late reply', async () => {
    const { client, channel } = await connected();
    const started = Date.now();
    const reply = client.call(PREDICT, {} as never, { timeoutMs: 40 });
    await assert.rejects(reply, (e: unknown) => e instanceof RpcTimeoutError && e.timeoutMs === 40 && e.pattern === 'prediction.predict.v1');
    assert.ok(Date.now() - started >= 35);
    assert.equal(client.pendingCount, 0);
    channel.reply(channel.lastId(), { response: 'late', isDisposed: true });
  });

  it('fails waiting calls at once when their channel is lost, refuses calls until a new channel is set up, then works again', async () => {
    const { broker, client, channel } = await connected();
    const waiting = client.call(PREDICT, {} as never, { timeoutMs: 60_000 });
    const started = Date.now();
    channel.emit('close');
    await assert.rejects(waiting, (e: unknown) => e instanceof BrokerUnavailableError && /connection lost/.test(e.message));
    assert.ok(Date.now() - started < 1000, 'not held until the deadline');
    assert.equal(client.isConnected(), false);
    await assert.rejects(client.call(PREDICT, {} as never, { timeoutMs: 60_000 }), BrokerUnavailableError);

    const reconnected = await broker.connect();
    const again = client.call(PREDICT, {} as never, { timeoutMs: 5000 });
    reconnected.reply(reconnected.lastId(), { response: 'back', isDisposed: true });
    assert.equal(await again, 'back');
  });

  it('reports a publish the channel refuses as broker unavailable, leaving nothing pending', async () => {
    const { client, channel } = await connected();
    channel.failSends = true;
    await assert.rejects(client.call(PREDICT, {} as never, { timeoutMs: 5000 }), BrokerUnavailableError);
    assert.equal(client.pendingCount, 0);
  });

  it('fails waiting calls on close and refuses new ones', async () => {
    const { client } = await connected();
    const waiting = client.call(PREDICT, {} as never, { timeoutMs: 60_000 });
    await client.close();
    await assert.rejects(waiting, (e: unknown) => e instanceof BrokerUnavailableError && /closed/.test(e.message));
    await assert.rejects(client.call(PREDICT, {} as never, { timeoutMs: 5000 }), /closed/);
  });
});
