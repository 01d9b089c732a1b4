// DirectRpcClient against the real RabbitMQ and a real Nest @MessagePattern server (Nest's wire format both
// ways): replies, typed errors, Observables, deadlines, expiry on the broker, concurrency, and broker outages
// through a TCP proxy the test cuts.
import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import amqp, { type ChannelModel } from 'amqplib';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { of, type Observable } from 'rxjs';
import {
  attachConsumer,
  BrokerConsumer,
  BrokerTopology,
  BrokerUnavailableError,
  connectBroker,
  createRmqServer,
  DirectRpcClient,
  MessagingModule,
  RpcFailure,
  RpcRemoteError,
  RpcTimeoutError,
} from '@app/messaging';
import { deleteTopology, TcpProxy, TEST_AMQP_URL, uniquePrefix, waitFor } from '@app/testing';

const prefix = uniquePrefix('direct-rpc');
const options = { prefix, retryDelaysMs: [] };
const RPC = Symbol('rpc');
// Test patterns travel as the contracts' pattern names with test payloads.
const ECHO = 'prediction.predict.v1' as never;
const STREAM = 'model.info.v1' as never;

@BrokerConsumer()
class EchoConsumer {
  @MessagePattern<string>('prediction.predict.v1', RPC)
  async echo(@Payload() data: { text: string; delayMs?: number }): Promise<{ text: string }> {
    if (data.delayMs) await sleep(data.delayMs);
    if (data.text === 'refuse') throw new RpcFailure('invalid_features', 'refused', { why: 'test' });
    return { text: data.text.toUpperCase() };
  }

  @MessagePattern<string>('model.info.v1', RPC)
  stream(): Observable<string> {
    return of('first', 'second', 'third');
  }
}

@Module({ imports: [MessagingModule.forRoot({ url: TEST_AMQP_URL }, options)], controllers: [EchoConsumer] })
class EchoModule {}

let app: INestApplication;
let topology: BrokerTopology['topology'];
let connection: AmqpConnectionManager;
let client: DirectRpcClient;
let inspect: ChannelModel;

async function messagesIn(queue: string): Promise<number> {
  const channel = await inspect.createChannel();
  try {
    return (await channel.checkQueue(queue)).messageCount;
  } finally {
    await channel.close();
  }
}

describe('DirectRpcClient on the real broker, answered by a Nest RMQ server', () => {
  before(async () => {
    app = await NestFactory.create(EchoModule, new FastifyAdapter(), { logger: process.env.TEST_LOG ? ['error', 'warn', 'log'] : false });
    const broker = app.get(BrokerTopology);
    await broker.ready(10_000);
    topology = broker.topology;
    attachConsumer(app, createRmqServer({ url: TEST_AMQP_URL }, { queue: topology.queues.interactive, prefetch: 64, transportId: RPC }));
    await app.init();
    await app.startAllMicroservices();
    connection = connectBroker({ url: TEST_AMQP_URL });
    client = new DirectRpcClient(connection, topology.queues.interactive);
    await client.ready(10_000);
    inspect = await amqp.connect(TEST_AMQP_URL);
  });

  after(async () => {
    await client.close();
    await connection.close();
    await inspect.close();
    await app.close();
    await deleteTopology(options);
  });

  it("gets the handler's reply", async () => {
    assert.deepEqual(await client.call(ECHO, { text: 'hi' } as never, { timeoutMs: 5000, headers: { 'mp-correlation-id': 'c-1' } }), { text: 'HI' });
  });

  it('rejects with RpcRemoteError carrying the typed error payload', async () => {
    const error: unknown = await client.call(ECHO, { text: 'refuse' } as never, { timeoutMs: 5000 }).catch((e: unknown) => e);
    assert.ok(error instanceof RpcRemoteError);
    assert.equal(error.payload.code, 'invalid_features');
    assert.deepEqual(error.payload.details, { why: 'test' });
    assert.equal(error.message, 'refused');
  });

  it("takes an Observable handler's first value, and later frames do not disturb other calls", async () => {
    assert.equal(await client.call(STREAM, {} as never, { timeoutMs: 5000 }), 'first');
    assert.deepEqual(await client.call(ECHO, { text: 'after' } as never, { timeoutMs: 5000 }), { text: 'AFTER' });
    assert.equal(client.pendingCount, 0);
  });

  it('matches concurrent calls to their replies when the replies come back out of order', async () => {
    const texts = Array.from({ length: 40 }, (_, i) => `call-${i}`);
    const replies = await Promise.all(texts.map((text, i) => client.call(ECHO, { text, delayMs: (i * 7) % 50 } as never, { timeoutMs: 10_000 })));
    assert.deepEqual(
      replies,
      texts.map((text) => ({ text: text.toUpperCase() })),
    );
  });

  it('times out at the deadline when nobody answers, and the request has expired on the broker by then', async () => {
    const nobody = new DirectRpcClient(connection, topology.queues.resultsRpc);
    await nobody.ready(5000);
    try {
      const started = Date.now();
      await assert.rejects(nobody.call('task.status.v1', { task_id: 'x' }, { timeoutMs: 300 }), RpcTimeoutError);
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 290 && elapsed < 1500, `rejected after ${elapsed} ms`);
      await sleep(100);
      assert.equal(await messagesIn(topology.queues.resultsRpc), 0);
    } finally {
      await nobody.close();
    }
  });

  it('expires the request on the broker after expirationMs, even while the caller still waits', async () => {
    const nobody = new DirectRpcClient(connection, topology.queues.resultsRpc);
    await nobody.ready(5000);
    try {
      const waiting = nobody.call('task.status.v1', { task_id: 'y' }, { timeoutMs: 1500, expirationMs: 100 });
      waiting.catch(() => undefined);
      assert.equal(await messagesIn(topology.queues.resultsRpc), 1, 'queued at first');
      await waitFor(async () => ((await messagesIn(topology.queues.resultsRpc)) === 0 ? true : undefined), 1000, 'the request to expire');
      assert.equal(nobody.pendingCount, 1, 'the caller is still within its deadline');
      await assert.rejects(waiting, RpcTimeoutError);
    } finally {
      await nobody.close();
    }
  });

  it('fails at once when the broker is away, fails calls in flight when the connection drops, and works again after a reconnect', async () => {
    const proxy = TcpProxy.inFrontOf(TEST_AMQP_URL, 5672);
    await proxy.up();
    const viaProxy = connectBroker({ url: proxy.urlThrough(TEST_AMQP_URL), reconnectSeconds: 0.2 });
    const outageClient = new DirectRpcClient(viaProxy, topology.queues.interactive);
    try {
      await outageClient.ready(5000);
      assert.deepEqual(await outageClient.call(ECHO, { text: 'up' } as never, { timeoutMs: 5000 }), { text: 'UP' });

      const inFlight = outageClient.call(ECHO, { text: 'slow', delayMs: 1500 } as never, { timeoutMs: 10_000 });
      inFlight.catch(() => undefined);
      await sleep(100);
      const cut = Date.now();
      await proxy.down();
      await assert.rejects(inFlight, BrokerUnavailableError);
      assert.ok(Date.now() - cut < 1000, `failed ${Date.now() - cut} ms after the cut, not at the 10 s deadline`);

      const whileDown = Date.now();
      await assert.rejects(outageClient.call(ECHO, { text: 'down' } as never, { timeoutMs: 10_000 }), BrokerUnavailableError);
      assert.ok(Date.now() - whileDown < 100, 'refused at once');

      await proxy.up();
      await waitFor(() => (outageClient.isConnected() ? true : undefined), 10_000, 'the client to reconnect');
      assert.deepEqual(await outageClient.call(ECHO, { text: 'back' } as never, { timeoutMs: 5000 }), { text: 'BACK' });
    } finally {
      await outageClient.close();
      await viaProxy.close();
      await proxy.down();
    }
  });

  it('does not become ready while the broker cannot be reached', async () => {
    const proxy = TcpProxy.inFrontOf(TEST_AMQP_URL, 5672);
    await proxy.up();
    await proxy.down();
    const unreachable = connectBroker({ url: proxy.urlThrough(TEST_AMQP_URL), reconnectSeconds: 0.2 });
    const stranded = new DirectRpcClient(unreachable, topology.queues.interactive);
    try {
      await assert.rejects(stranded.ready(400), BrokerUnavailableError);
      await assert.rejects(stranded.call(ECHO, { text: 'x' } as never, { timeoutMs: 5000 }), BrokerUnavailableError);
    } finally {
      await stranded.close();
      await unreachable.close();
    }
  });
});
