// RpcQueueConsumer against the real RabbitMQ, called by a real Nest ClientRMQ (what the gateway uses): replies,
// errors exactly as Nest's server + RpcErrorFilter sent them, "no handler", every delivery acked, graceful stop
// answering what is in flight, and consuming again after the connection drops.
import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { NO_MESSAGE_HANDLER } from '@nestjs/microservices/constants.js';
import type { ClientRMQ } from '@nestjs/microservices';
import amqp, { type ChannelModel } from 'amqplib';
import { firstValueFrom } from 'rxjs';
import { MessageValidationError, Patterns, validatePredictionRequest, type Prediction, type ServingModelInfo } from '@app/contracts';
import { classifyRpcError, createRmqClient, RpcFailure, RpcQueueConsumer, RpcRemoteError, type RpcHandlers } from '@app/messaging';
import { queueStats, TcpProxy, TEST_AMQP_URL, uniquePrefix, waitFor } from '@app/testing';

const queue = `${uniquePrefix('rpc-consumer')}interactive`;
const SLOW_MATCH = 50;

const handlers: RpcHandlers = {
  [Patterns.predict]: async (data) => {
    const request = validatePredictionRequest(data);
    if (request.match_id === 13) throw new RpcFailure('unknown_match', 'no such match', { match_id: 13 });
    if (request.match_id === 666) throw new Error('secret internals');
    if (request.match_id === SLOW_MATCH) await sleep(300);
    return { match_id: request.match_id } as unknown as Prediction;
  },
  [Patterns.modelInfo]: () => ({ name: 'test-model' }) as unknown as ServingModelInfo,
};

const quiet = { warn: () => undefined, error: () => undefined };

/** What the predictor's InteractiveGate is told: requests entering and leaving. */
const inFlight = {
  entered: 0,
  left: 0,
  enter(): void {
    this.entered += 1;
  },
  leave(): void {
    this.left += 1;
  },
};

let connection: ChannelModel;
let client: ClientRMQ;

/** What the gateway's RpcClient does: Nest's `send`, first value, errors classified. */
async function call(pattern: string, data: unknown): Promise<unknown> {
  try {
    return await firstValueFrom(client.send(pattern, data));
  } catch (error) {
    throw classifyRpcError(error);
  }
}

/** The raw rejection Nest's client gives, before classification. */
async function rawError(pattern: string, data: unknown): Promise<unknown> {
  return firstValueFrom(client.send(pattern, data)).then(
    () => assert.fail('expected an error reply'),
    (error: unknown) => error,
  );
}

async function expectRemote(data: unknown): Promise<RpcRemoteError> {
  const error = await call(Patterns.predict, data).then(
    () => assert.fail('expected RpcRemoteError'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof RpcRemoteError, String(error));
  return error;
}

async function settledQueue(): Promise<void> {
  await waitFor(
    async () => {
      const stats = await queueStats(queue);
      return stats.ready === 0 && stats.unacked === 0 ? true : undefined;
    },
    10_000,
    `${queue} to be empty with nothing unacked`,
    200,
  );
}

describe('RpcQueueConsumer on the real broker, called by Nest ClientRMQ', () => {
  let consumer: RpcQueueConsumer;

  before(async () => {
    connection = await amqp.connect(TEST_AMQP_URL);
    const channel = await connection.createChannel();
    await channel.assertQueue(queue, { durable: false });
    await channel.close();
    consumer = new RpcQueueConsumer({ url: TEST_AMQP_URL }, { queue, prefetch: 8, inFlight }, handlers, quiet);
    await consumer.ready();
    await waitFor(() => consumer.isConsuming() || undefined, 5000, 'the consumer to consume');
    client = createRmqClient({ url: TEST_AMQP_URL }, queue, false);
  });

  after(async () => {
    await client.close();
    await consumer.stop();
    const channel = await connection.createChannel();
    await channel.deleteQueue(queue);
    await connection.close();
  });

  it('answers with the handler’s value', async () => {
    assert.deepEqual(await call(Patterns.predict, { match_id: 7 }), { match_id: 7 });
    assert.deepEqual(await call(Patterns.modelInfo, {}), { name: 'test-model' });
  });

  it('a thrown RpcFailure arrives as RpcRemoteError with the same payload', async () => {
    const error = await expectRemote({ match_id: 13 });
    assert.deepEqual(error.payload, new RpcFailure('unknown_match', 'no such match', { match_id: 13 }).toPayload());
  });

  it('an invalid request arrives as invalid_message with its problems', async () => {
    const error = await expectRemote({ match_id: 'seven' });
    assert.equal(error.payload.code, 'invalid_message');
    assert.throws(() => validatePredictionRequest({ match_id: 'seven' }), (e: unknown) => e instanceof MessageValidationError && e.message === error.payload.message);
    assert.ok(Array.isArray(error.payload.details?.problems));
  });

  it('an unexpected error arrives as `internal`, without internals', async () => {
    const error = await expectRemote({ match_id: 666 });
    assert.deepEqual(error.payload, { code: 'internal', message: 'internal error' });
  });

  it('a pattern nobody handles gets Nest’s own "no handler" error', async () => {
    assert.equal(await rawError(Patterns.taskStatus, { task_id: 'x' }), NO_MESSAGE_HANDLER);
  });

  it('answers concurrent calls each with its own reply', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => i + 100);
    const replies = await Promise.all(ids.map((match_id) => call(Patterns.predict, { match_id })));
    assert.deepEqual(replies, ids.map((match_id) => ({ match_id })));
  });

  it('acks every delivery, successes and failures alike', async () => {
    await settledQueue();
  });

  it('tells inFlight of every request from its delivery until its reply is out, errors included', async () => {
    const entered = inFlight.entered;
    const left = inFlight.left;
    const slow = call(Patterns.predict, { match_id: SLOW_MATCH });
    await waitFor(() => (inFlight.entered > entered ? true : undefined), 5000, 'the slow request to enter');
    assert.equal(inFlight.left, left, 'still in flight while its handler runs');
    await slow;
    await expectRemote({ match_id: 13 });
    await waitFor(() => (inFlight.left === left + 2 ? true : undefined), 5000, 'both requests to leave');
    assert.equal(inFlight.entered, entered + 2);
  });

  it('a graceful stop answers the request in flight, then stops consuming', async () => {
    const second = new RpcQueueConsumer({ url: TEST_AMQP_URL }, { queue, prefetch: 8 }, handlers, quiet);
    await second.ready();
    // Both consumers share the queue; make sure the slow request lands on `second` by stopping `consumer` first.
    await consumer.stop();
    assert.equal(consumer.isConsuming(), false);
    const slow = call(Patterns.predict, { match_id: SLOW_MATCH });
    await sleep(100);
    await second.stop();
    assert.deepEqual(await slow, { match_id: SLOW_MATCH });
    assert.equal(second.isConsuming(), false);
    await settledQueue();
    consumer = new RpcQueueConsumer({ url: TEST_AMQP_URL }, { queue, prefetch: 8, inFlight }, handlers, quiet);
    await consumer.ready();
  });

  it('consumes again after its connection drops', async () => {
    const proxy = TcpProxy.inFrontOf(TEST_AMQP_URL, 5672);
    await proxy.up();
    const behindProxy = new RpcQueueConsumer({ url: proxy.urlThrough(TEST_AMQP_URL), reconnectSeconds: 0.2 }, { queue, prefetch: 8 }, handlers, quiet);
    try {
      await behindProxy.ready();
      await waitFor(() => behindProxy.isConsuming() || undefined, 5000, 'consuming through the proxy');
      await consumer.stop(); // only the consumer behind the proxy is left to answer
      await proxy.down();
      await waitFor(() => (behindProxy.isConsuming() ? undefined : true), 5000, 'the consumer to notice the outage');
      await proxy.up();
      await waitFor(() => behindProxy.isConsuming() || undefined, 10_000, 'consuming again after the outage');
      assert.deepEqual(await call(Patterns.predict, { match_id: 8 }), { match_id: 8 });
      await settledQueue();
    } finally {
      await behindProxy.stop();
      await proxy.down();
    }
  });
});
