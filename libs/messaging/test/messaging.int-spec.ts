// The messaging layer against the real RabbitMQ: topology, confirmed publish, consume + ack, retry with delay,
// dead-lettering by the app and by the broker, requeue without a hot loop, RPC replies, errors and timeouts.
import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, MessagePattern, Payload, RmqContext, type ClientRMQ } from '@nestjs/microservices';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import amqp, { type Channel, type ChannelModel } from 'amqplib';
import { IsBoolean, IsString } from 'class-validator';
import { MessageValidationError, validateMessage } from '@app/contracts';
import {
  attachConsumer,
  BrokerConsumer,
  attemptOf,
  BrokerTopology,
  createRmqClient,
  createRmqServer,
  MessageSettler,
  MessagingModule,
  NestRpcClient,
  RpcFailure,
  RpcRemoteError,
  RpcTimeoutError,
} from '@app/messaging';
import { deleteTopology, queueStats, TEST_AMQP_URL, uniquePrefix, waitFor } from '@app/testing';

const prefix = uniquePrefix('messaging');
const options = { prefix, retryDelaysMs: [150, 150] };
const WORK = Symbol('work');
const INTERACTIVE = Symbol('interactive');

class JobMessage {
  @IsString()
  id!: string;
  @IsBoolean()
  fail!: boolean;
}

const seen: { id: string; attempt: number; redelivered: boolean }[] = [];
const flakyDeliveries = new Map<string, number>();

@BrokerConsumer()
class TestConsumer {
  constructor(
    private readonly settler: MessageSettler,
    private readonly broker: BrokerTopology,
  ) {}

  @EventPattern<string>('test.job.v1', WORK)
  async job(@Payload() data: unknown, @Ctx() ctx: RmqContext): Promise<void> {
    const job = validateMessage(JobMessage, data);
    const msg = ctx.getMessage() as { properties: { headers?: Record<string, unknown> }; fields: { redelivered: boolean } };
    const attempt = attemptOf(msg.properties.headers);
    seen.push({ id: job.id, attempt, redelivered: msg.fields.redelivered });
    if (job.id.startsWith('flaky')) {
      const n = (flakyDeliveries.get(job.id) ?? 0) + 1;
      flakyDeliveries.set(job.id, n);
      if (n === 1) throw new Error('transient');
      return;
    }
    if (!job.fail) return;
    const retry = this.broker.topology.retryQueueFor(attempt);
    if (retry) return this.settler.retry(ctx, retry.name, attempt + 1, 'boom');
    return this.settler.deadLetter(ctx, this.broker.topology.deadLetterExchange, 'attempts_exhausted', 'boom', attempt);
  }

  @MessagePattern<string>('prediction.predict.v1', INTERACTIVE)
  echo(@Payload() data: { text: string }): { text: string } {
    if (data.text === 'refuse') throw new RpcFailure('invalid_features', 'refused', { why: 'test' });
    if (data.text === 'crash') throw new Error('secret internals');
    return { text: data.text.toUpperCase() };
  }
}

@Module({ imports: [MessagingModule.forRoot({ url: TEST_AMQP_URL }, options)], controllers: [TestConsumer] })
class TestModule {}

let app: INestApplication;
let connection: ChannelModel;
let channel: Channel;
let topology: BrokerTopology['topology'];

function publishRaw(queue: string, body: unknown, headers: Record<string, unknown> = {}): void {
  const content = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  channel.sendToQueue(queue, content, { persistent: true, headers });
}

async function takeDead(predicate: (body: string, headers: Record<string, unknown>) => boolean, queue = topology.queues.deadLetter) {
  return waitFor(async () => {
    const msg = await channel.get(queue, { noAck: false });
    if (!msg) return undefined;
    channel.ack(msg);
    const headers = (msg.properties.headers ?? {}) as Record<string, unknown>;
    return predicate(msg.content.toString(), headers) ? { body: msg.content.toString(), headers } : undefined;
  }, 5000, `a dead letter in ${queue}`);
}

describe('messaging layer on the real broker', () => {
  before(async () => {
    app = await NestFactory.create(TestModule, new FastifyAdapter(), { logger: process.env.TEST_LOG ? ['error', 'warn', 'log', 'debug'] : false });
    const broker = app.get(BrokerTopology);
    await broker.ready(10_000);
    topology = broker.topology;
    attachConsumer(app, createRmqServer({ url: TEST_AMQP_URL }, { queue: topology.queues.work, prefetch: 8, transportId: WORK }));
    attachConsumer(app, createRmqServer({ url: TEST_AMQP_URL }, { queue: topology.queues.interactive, prefetch: 8, transportId: INTERACTIVE }));
    await app.init();
    await app.startAllMicroservices();
    connection = await amqp.connect(TEST_AMQP_URL);
    channel = await connection.createChannel();
  });

  after(async () => {
    await channel.close();
    await connection.close();
    await app.close();
    await deleteTopology(options);
  });

  it('declares the topology idempotently (a second app asserting it gets no 406)', async () => {
    const second = new BrokerTopology({ url: TEST_AMQP_URL }, topology);
    await second.ready(5000);
    assert.equal(second.isConnected(), true);
    const depth = await second.inspectQueue(topology.queues.work);
    assert.ok(depth && depth.consumers >= 1, 'the work queue has our consumer');
    await second.close();
  });

  it('consumes and acks a good message once', async () => {
    publishRaw(topology.queues.work, { pattern: 'test.job.v1', data: { id: 'ok-1', fail: false } });
    await waitFor(() => (seen.some((s) => s.id === 'ok-1') ? true : undefined), 5000, 'ok-1 consumed');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(seen.filter((s) => s.id === 'ok-1').length, 1);
    assert.deepEqual(await queueStats(topology.queues.work), { ready: 0, unacked: 0 });
  });

  it('retries through the delay queues, then dead-letters with the reason and attempt count', async () => {
    const started = Date.now();
    publishRaw(topology.queues.work, { pattern: 'test.job.v1', data: { id: 'bad-1', fail: true } });
    const dead = await takeDead((body) => body.includes('bad-1'));
    assert.deepEqual(seen.filter((s) => s.id === 'bad-1').map((s) => s.attempt), [1, 2, 3]);
    assert.ok(Date.now() - started >= 300, 'each retry waited for its delay');
    assert.equal(dead.headers['mp-death-reason'], 'attempts_exhausted');
    assert.equal(dead.headers['mp-attempt'], 3);
    assert.equal(dead.headers['mp-original-queue'], topology.queues.work);
    // The fanout also gave `results` its copy.
    await takeDead((body) => body.includes('bad-1'), topology.queues.deadLetterEvents);
  });

  it('dead-letters invalid payloads, unknown patterns and non-JSON bodies, and keeps consuming', async () => {
    publishRaw(topology.queues.work, { pattern: 'test.job.v1', data: { id: 42 } });
    publishRaw(topology.queues.work, { pattern: 'test.nobody-handles.v1', data: {} });
    publishRaw(topology.queues.work, 'not json at all');
    publishRaw(topology.queues.work, { pattern: 'test.job.v1', data: { id: 'after-poison', fail: false } });
    const reasons: unknown[] = [];
    for (let i = 0; i < 3; i += 1) {
      const dead = await takeDead(() => true);
      reasons.push(dead.headers['x-first-death-reason']);
    }
    assert.deepEqual(reasons, ['rejected', 'rejected', 'rejected']);
    await waitFor(() => (seen.some((s) => s.id === 'after-poison') ? true : undefined), 5000, 'the consumer to keep going');
    await waitFor(async () => ((await queueStats(topology.queues.work)).unacked === 0 ? true : undefined), 5000, 'nothing left unacked');
  });

  it('requeues an unexpected failure after a pause instead of a hot loop', async () => {
    publishRaw(topology.queues.work, { pattern: 'test.job.v1', data: { id: 'flaky-1', fail: false } });
    await waitFor(() => (flakyDeliveries.get('flaky-1') === 2 ? true : undefined), 5000, 'the redelivery');
    const deliveries = seen.filter((s) => s.id === 'flaky-1');
    assert.equal(deliveries.length, 2);
    assert.equal(deliveries[1]?.redelivered, true);
  });

  it('answers RPCs, passes typed errors through, hides internal ones, and times out', async () => {
    const client: ClientRMQ = createRmqClient({ url: TEST_AMQP_URL }, topology.queues.interactive, false);
    await client.connect();
    const rpc = new NestRpcClient(client);
    try {
      const reply = await rpc.call('prediction.predict.v1' as never, { text: 'hi' } as never, { timeoutMs: 5000 });
      assert.deepEqual(reply, { text: 'HI' });
      await assert.rejects(
        rpc.call('prediction.predict.v1' as never, { text: 'refuse' } as never, { timeoutMs: 5000 }),
        (e: unknown) => e instanceof RpcRemoteError && e.payload.code === 'invalid_features' && e.payload.details?.why === 'test',
      );
      await assert.rejects(
        rpc.call('prediction.predict.v1' as never, { text: 'crash' } as never, { timeoutMs: 5000 }),
        (e: unknown) => e instanceof RpcRemoteError && e.payload.code === 'internal' && !e.message.includes('secret'),
      );
      const nobody = createRmqClient({ url: TEST_AMQP_URL }, topology.queues.resultsRpc, false);
      await nobody.connect();
      const started = Date.now();
      await assert.rejects(new NestRpcClient(nobody).call('task.status.v1', { task_id: 'x' }, { timeoutMs: 300 }), RpcTimeoutError);
      assert.ok(Date.now() - started < 1500);
      await nobody.close();
      // The request expired on the broker with the caller's deadline: nothing is left for a late consumer.
      await new Promise((r) => setTimeout(r, 200));
      assert.equal((await channel.checkQueue(topology.queues.resultsRpc)).messageCount, 0);
    } finally {
      await client.close();
    }
  });

  it('refuses invalid payloads in validateMessage as MessageValidationError', () => {
    assert.throws(() => validateMessage(JobMessage, { id: 1, fail: 'no' }), MessageValidationError);
  });
});
