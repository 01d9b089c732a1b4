// The gateway's monitoring against the real RabbitMQ: queue depths and consumer counts by logical name (with a
// missing queue, and with the broker unreachable), and predictor presence from heartbeats on the fanout
// exchange, expiring after three missed intervals or at once on "leaving".
import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Patterns, type PredictorHeartbeatMessage } from '@app/contracts';
import { BrokerTopology, BrokerUnavailableError, buildTopology, encodeEvent, QueueInspector } from '@app/messaging';
import { loadConfig } from '@app/platform';
import { deleteTopology, TEST_AMQP_URL, uniquePrefix, waitFor } from '@app/testing';
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import { Gauge, Registry } from 'prom-client';
import { GatewayConfig } from '../src/gateway.config.js';
import { PredictorPresenceService } from '../src/predictor-presence.service.js';
import { QueueStatsService } from '../src/queue-stats.service.js';

const prefix = uniquePrefix('monitoring');
const topologyOptions = { prefix, retryDelaysMs: [100, 200] };
const topology = buildTopology(topologyOptions);
const broker = { url: TEST_AMQP_URL };
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

function gauge(name: string, labelNames: string[] = []): Gauge {
  return new Gauge({ name, help: 'test', labelNames, registers: [new Registry()] });
}

async function sample(g: Gauge, labels: Record<string, string> = {}): Promise<number | undefined> {
  const values = (await g.get()).values;
  return values.find((v) => Object.entries(labels).every(([k, value]) => v.labels[k] === value))?.value;
}

void describe('gateway monitoring (real RabbitMQ)', () => {
  let management: BrokerTopology;
  let connection: ChannelModel;
  let channel: ConfirmChannel;

  before(async () => {
    process.on('unhandledRejection', onUnhandled);
    management = new BrokerTopology(broker, topology);
    await management.ready(10_000);
    connection = await amqp.connect(TEST_AMQP_URL);
    channel = await connection.createConfirmChannel();
  });

  after(async () => {
    await connection?.close().catch(() => undefined);
    await management?.close();
    await deleteTopology(topologyOptions);
    process.off('unhandledRejection', onUnhandled);
    assert.deepEqual(unhandled, [], 'no unhandled rejection');
  });

  void describe('queue stats', () => {
    const messages = gauge('broker_queue_messages', ['queue']);
    const consumers = gauge('broker_queue_consumers', ['queue']);
    // One more attempt than the topology declares: the gateway then also looks for ml.retry.400ms, which is missing.
    const config = loadConfig(GatewayConfig, { QUEUE_PREFIX: prefix, TASK_MAX_ATTEMPTS: '4', TASK_RETRY_DELAY_MS: '100' });
    const stats = new QueueStatsService(config, broker, messages, consumers);

    after(async () => {
      await stats.onApplicationShutdown();
    });

    void it('reads ready messages and consumers of every queue, named without the prefix', async () => {
      for (let i = 0; i < 3; i++) channel.sendToQueue(topology.queues.work, Buffer.from(`{"n":${i}}`), { persistent: true });
      for (let i = 0; i < 2; i++) channel.sendToQueue(topology.queues.deadLetter, Buffer.from('{}'), { persistent: true });
      await channel.waitForConfirms();
      const consumer = await connection.createChannel();
      await consumer.consume(topology.queues.interactive, () => undefined, { noAck: false });

      const snapshot = await waitFor(
        async () => {
          const s = await stats.read();
          const ml = s.queues.find((q) => q.queue === 'ml');
          const dlq = s.queues.find((q) => q.queue === 'ml.dlq');
          return ml?.messages === 3 && dlq?.messages === 2 ? s : undefined;
        },
        5000,
        'the published messages to be counted',
      );
      assert.ok(!Number.isNaN(Date.parse(snapshot.checked_at)));
      const byName = new Map(snapshot.queues.map((q) => [q.queue, q]));
      assert.deepEqual(
        [...byName.keys()],
        ['ml', 'ml.interactive', 'ml.dlq', 'results.events', 'results.events.dlq', 'results.dead-letters', 'results.rpc', 'ml.retry.100ms', 'ml.retry.200ms', 'ml.retry.400ms'],
      );
      assert.deepEqual(byName.get('ml'), { queue: 'ml', name: `${prefix}ml`, messages: 3, consumers: 0, exists: true });
      assert.deepEqual(byName.get('ml.interactive'), { queue: 'ml.interactive', name: `${prefix}ml.interactive`, messages: 0, consumers: 1, exists: true });
      assert.equal(byName.get('ml.retry.200ms')?.exists, true);
      assert.deepEqual(byName.get('ml.retry.400ms'), { queue: 'ml.retry.400ms', name: `${prefix}ml.retry.400ms`, messages: null, consumers: null, exists: false });

      assert.equal(await sample(messages, { queue: 'ml' }), 3);
      assert.equal(await sample(messages, { queue: 'ml.dlq' }), 2);
      assert.equal(await sample(consumers, { queue: 'ml.interactive' }), 1);
      assert.equal(await sample(consumers, { queue: 'ml' }), 0);
      assert.equal(await sample(messages, { queue: 'ml.retry.400ms' }), undefined, 'a missing queue has no series');
      assert.ok((await messages.get()).values.every((v) => !String(v.labels.queue).startsWith('test.')), 'labels carry no prefix');

      await consumer.close();
      const after = await stats.read();
      assert.equal(after.queues.find((q) => q.queue === 'ml.interactive')?.consumers, 0);
      assert.equal(await sample(consumers, { queue: 'ml.interactive' }), 0);
    });

    void it('reports missing queues in the middle of the list and still reads the ones after them', async () => {
      const named = (q: string) => ({ queue: q, name: `${prefix}${q}` });
      const inspector = new QueueInspector(broker, [named('ml'), named('nope.1'), named('ml.dlq'), named('nope.2'), named('nope.3'), named('ml.interactive')]);
      try {
        await waitFor(() => (inspector.isConnected() ? true : undefined), 5000, 'the inspector to connect');
        // Concurrent callers share one read, so a 404 in one never closes the channel under another.
        const [a, b] = await Promise.all([inspector.read(2000), inspector.read(2000)]);
        assert.deepEqual(a, b);
        assert.deepEqual(
          a.map((q) => [q.queue, q.exists, q.messages]),
          [
            ['ml', true, 3],
            ['nope.1', false, null],
            ['ml.dlq', true, 2],
            ['nope.2', false, null],
            ['nope.3', false, null],
            ['ml.interactive', true, 0],
          ],
        );
        const again = await inspector.read(2000);
        assert.deepEqual(again, a, 'the inspector keeps working after channels were closed by 404s');
      } finally {
        await inspector.close();
      }
    });

    void it('fails fast with BrokerUnavailableError when the broker cannot be reached, and clears the gauges', async () => {
      const unreachable = { url: 'amqp://guest:guest@127.0.0.1:1', reconnectSeconds: 1 };
      const inspector = new QueueInspector(unreachable, [{ queue: 'ml', name: `${prefix}ml` }]);
      const down = new QueueStatsService(config, unreachable, messages, consumers);
      try {
        const started = Date.now();
        await assert.rejects(inspector.read(500), BrokerUnavailableError);
        assert.ok(Date.now() - started < 1000, `answered in ${Date.now() - started} ms`);
        assert.ok((await messages.get()).values.length > 0, 'the gauges hold the last read');
        await assert.rejects(down.read(500), BrokerUnavailableError);
        assert.deepEqual((await messages.get()).values, [], 'no stale numbers while the broker is away');
        await down.refresh(); // the periodic read swallows the outage
      } finally {
        await inspector.close();
        await down.onApplicationShutdown();
      }
    });
  });

  void describe('predictor presence', () => {
    const INTERVAL_MS = 150;
    const up = gauge('predictors_up');
    const upOther = gauge('predictors_up');
    let presence: PredictorPresenceService;
    let otherGateway: PredictorPresenceService;

    const heartbeat = (instance: string, status: 'ready' | 'leaving' = 'ready'): PredictorHeartbeatMessage => ({
      instance_id: instance,
      hostname: 'int-host',
      pid: 1234,
      model_name: 'match-outcome',
      model_version: 7,
      model_run_id: 'run-7',
      alias: 'champion',
      backend: 'cpu',
      status,
      interval_ms: INTERVAL_MS,
      started_at: '2026-01-01T00:00:00.000Z',
      sent_at: new Date().toISOString(),
    });
    const send = (beat: PredictorHeartbeatMessage) =>
      management.publish(topology.presenceExchange, '', encodeEvent(Patterns.predictorHeartbeat, beat), {
        persistent: false,
        expiration: String(INTERVAL_MS),
      });

    before(async () => {
      presence = new PredictorPresenceService(broker, management, up);
      otherGateway = new PredictorPresenceService(broker, management, upOther);
      presence.onApplicationBootstrap();
      otherGateway.onApplicationBootstrap();
      await Promise.all([presence.ready(5000), otherGateway.ready(5000)]);
    });

    after(async () => {
      await presence?.onApplicationShutdown();
      await otherGateway?.onApplicationShutdown();
    });

    void it('lists predictors from their heartbeats on every gateway, and expires one three intervals after its last', async () => {
      const a = randomUUID();
      const b = randomUUID();
      let beating = true;
      const beatA = (async () => {
        while (beating) {
          await send(heartbeat(a));
          await new Promise((r) => setTimeout(r, INTERVAL_MS));
        }
      })();
      try {
        await send(heartbeat(b));
        await waitFor(() => (presence.predictors().length === 2 ? true : undefined), 3000, 'both predictors to be listed');
        await waitFor(() => (otherGateway.predictors().length === 2 ? true : undefined), 3000, 'the other gateway to list both too');
        const listed = presence.predictors().find((p) => p.instance_id === a);
        assert.deepEqual({ ...listed, last_seen: undefined }, {
          instance_id: a,
          hostname: 'int-host',
          pid: 1234,
          model_name: 'match-outcome',
          model_version: 7,
          model_run_id: 'run-7',
          alias: 'champion',
          backend: 'cpu',
          started_at: '2026-01-01T00:00:00.000Z',
          last_seen: undefined,
        });
        assert.ok(Date.now() - Date.parse(listed!.last_seen) < 2000);
        assert.equal(await sample(up), 2);

        // b sent one heartbeat only: gone after three of its intervals, while a, still beating, stays.
        const stoppedAt = Date.now();
        await waitFor(async () => ((await sample(up)) === 1 ? true : undefined), 3000, 'predictors_up to drop to 1 without anyone asking');
        assert.ok(Date.now() - stoppedAt < 3 * INTERVAL_MS + 1500);
        assert.deepEqual(presence.predictors().map((p) => p.instance_id), [a]);
      } finally {
        beating = false;
        await beatA;
      }
      const silentSince = Date.now();
      await waitFor(async () => ((await sample(up)) === 0 ? true : undefined), 3000, 'a to expire after it stopped');
      const gone = Date.now() - silentSince;
      assert.ok(gone >= INTERVAL_MS, `not expired before missing its heartbeats (${gone} ms)`);
      assert.equal(presence.predictors().length, 0);
    });

    void it('drops a predictor at once on its leaving heartbeat', async () => {
      const c = randomUUID();
      await send(heartbeat(c));
      await waitFor(() => (presence.predictors().length === 1 ? true : undefined), 3000, 'c to be listed');
      await send(heartbeat(c, 'leaving'));
      const sent = Date.now();
      await waitFor(() => (presence.predictors().length === 0 ? true : undefined), 3000, 'c to leave');
      assert.ok(Date.now() - sent < INTERVAL_MS * 3, 'before it could have expired');
    });

    void it('ignores an invalid heartbeat', async () => {
      await management.publish(topology.presenceExchange, '', encodeEvent(Patterns.predictorHeartbeat, { ...heartbeat(randomUUID()), pid: -1 }), { persistent: false });
      const valid = randomUUID();
      await send(heartbeat(valid));
      await waitFor(() => (presence.predictors().length === 1 ? true : undefined), 3000, 'the valid heartbeat to be listed');
      assert.deepEqual(presence.predictors().map((p) => p.instance_id), [valid]);
    });
  });
});
