// Monitoring end to end: the three apps as processes, queue depths and consumers and the live predictors read
// over the gateway's HTTP API and /metrics; a predictor stopped gracefully leaves at once, one killed outright
// expires after three missed heartbeats; with the broker cut off, /monitoring/queues answers 503.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { AppProcess, deleteRedisKeys, deleteTopology, TcpProxy, testPort, uniquePrefix, waitFor } from '@app/testing';

const prefix = uniquePrefix('monitoring');
const topologyOptions = { prefix, retryDelaysMs: [200, 400] };
const PRESENCE_INTERVAL_MS = 300;
const retryPolicy = { TASK_MAX_ATTEMPTS: '3', TASK_RETRY_DELAY_MS: '200' };
const common = { QUEUE_PREFIX: prefix, REDIS_KEY_PREFIX: prefix, LOG_LEVEL: 'warn' };
const predictorEnv = { ...common, ...retryPolicy, PRESENCE_INTERVAL_MS: String(PRESENCE_INTERVAL_MS) };

const results = new AppProcess('results', testPort(), common);
const predictor = new AppProcess('predictor', testPort(), predictorEnv);
const gateway = new AppProcess('api-gateway', testPort(), { ...common, ...retryPolicy, QUEUE_STATS_INTERVAL_MS: '200' });

type Json = Record<string, unknown>;
interface QueueRow {
  queue: string;
  name: string;
  messages: number | null;
  consumers: number | null;
  exists: boolean;
}
interface PredictorRow {
  instance_id: string;
  hostname: string;
  pid: number;
  model_name: string;
  model_version: number;
  model_run_id: string;
  alias: string | null;
  backend: string;
  started_at: string;
  last_seen: string;
}

async function get<T = Json>(app: AppProcess, path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${app.baseUrl}${path}`);
  return { status: res.status, body: (await res.json()) as T };
}

async function queues(): Promise<Map<string, QueueRow>> {
  const { status, body } = await get<{ queues: QueueRow[]; checked_at: string }>(gateway, '/monitoring/queues');
  assert.equal(status, 200, JSON.stringify(body));
  assert.ok(!Number.isNaN(Date.parse(body.checked_at)), 'checked_at is a time');
  return new Map(body.queues.map((q) => [q.queue, q]));
}

async function predictors(): Promise<{ predictors: PredictorRow[]; count: number }> {
  const { status, body } = await get<{ predictors: PredictorRow[]; count: number }>(gateway, '/monitoring/predictors');
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.count, body.predictors.length);
  return body;
}

/** The value of the first sample of `name` whose labels include `labels`, or undefined when there is none. */
async function metric(app: AppProcess, name: string, labels = ''): Promise<number | undefined> {
  const text = await (await fetch(`${app.baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && l.includes(labels));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('monitoring endpoints end to end', () => {
  before(async () => {
    await Promise.all([results.start(), predictor.start(), gateway.start()]);
  });

  after(async () => {
    await Promise.all([gateway.stop(), predictor.stop(), results.stop()]);
    await deleteTopology(topologyOptions);
    await deleteRedisKeys(prefix);
  });

  it('lists every queue by logical name with its consumers: the predictor on ml and ml.interactive, results on its own', async () => {
    const byName = await queues();
    assert.deepEqual(
      [...byName.keys()].sort(),
      ['ml', 'ml.dlq', 'ml.interactive', 'ml.retry.200ms', 'ml.retry.400ms', 'results.dead-letters', 'results.events', 'results.events.dlq', 'results.rpc'],
    );
    assert.deepEqual(byName.get('ml'), { queue: 'ml', name: `${prefix}ml`, messages: 0, consumers: 1, exists: true });
    assert.equal(byName.get('ml.interactive')?.consumers, 1);
    assert.equal(byName.get('results.events')?.consumers, 1);
    assert.equal(byName.get('results.rpc')?.consumers, 1);
    assert.equal(byName.get('ml.dlq')?.consumers, 0, 'nothing consumes the parking lot');
    assert.equal(byName.get('ml.retry.400ms')?.exists, true);
  });

  it('lists the running predictor with the model version and backend it serves', async () => {
    const info = await get(gateway, '/predict/model/info');
    assert.equal(info.status, 200);
    const { predictors: list } = await waitFor(async () => {
      const p = await predictors();
      return p.count === 1 ? p : undefined;
    }, 5000, 'the predictor to be listed');
    const p = list[0];
    assert.ok(p);
    assert.equal(p.model_name, info.body.name);
    assert.equal(p.model_version, info.body.version);
    assert.equal(p.model_run_id, info.body.run_id);
    assert.equal(p.backend, info.body.backend);
    assert.ok(['tensorflow', 'wasm', 'cpu'].includes(p.backend));
    assert.equal(p.hostname, hostname());
    assert.ok(Number.isInteger(p.pid) && p.pid > 0);
    assert.ok(Date.now() - Date.parse(p.last_seen) < PRESENCE_INTERVAL_MS * 3, `last seen ${p.last_seen}`);
  });

  it('exports queue depths, consumers and predictors_up on the gateway’s /metrics', async () => {
    await waitFor(async () => ((await metric(gateway, 'broker_queue_consumers', 'queue="ml"')) === 1 ? true : undefined), 5000, 'broker_queue_consumers{queue="ml"} 1');
    assert.equal(await metric(gateway, 'broker_queue_messages', 'queue="ml"'), 0);
    assert.equal(await metric(gateway, 'broker_queue_messages', 'queue="ml.retry.200ms"'), 0);
    const text = await (await fetch(`${gateway.baseUrl}/metrics`)).text();
    assert.doesNotMatch(text, new RegExp(`queue="${prefix.replace(/\./g, '\\.')}`), 'labels carry logical names only');
    assert.match(text, /^predictors_up\{app="api-gateway"\} 1$/m);
  });

  it('forgets a predictor stopped gracefully at once, and one killed outright after three missed heartbeats', async () => {
    // A heartbeat every 20 s: gone within seconds only through its "leaving" heartbeat (expiry would take 60 s).
    const slow = new AppProcess('predictor', testPort(), { ...predictorEnv, PRESENCE_INTERVAL_MS: '20000' });
    await slow.start();
    try {
      await waitFor(async () => ((await predictors()).count === 2 ? true : undefined), 5000, 'two predictors');
      // Readiness (and the first heartbeat) come just before the consumers attach: wait for them.
      await waitFor(async () => ((await queues()).get('ml')?.consumers === 2 ? true : undefined), 3000, 'two consumers on ml');
      await waitFor(async () => ((await metric(gateway, 'predictors_up')) === 2 ? true : undefined), 3000, 'predictors_up 2');
      const stop = await slow.stop('SIGTERM');
      assert.equal(stop.forced, false, 'stopped gracefully');
      await waitFor(async () => ((await predictors()).count === 1 ? true : undefined), 3000, 'the stopped predictor to leave');
    } finally {
      await slow.stop('SIGKILL');
    }

    await predictor.stop('SIGKILL');
    const killedAt = Date.now();
    const { count } = await predictors();
    assert.equal(count, 1, 'a killed predictor is not forgotten before it misses its heartbeats');
    await waitFor(async () => ((await predictors()).count === 0 ? true : undefined), PRESENCE_INTERVAL_MS * 3 + 2000, 'the killed predictor to expire');
    const expiredAfter = Date.now() - killedAt;
    assert.ok(expiredAfter >= PRESENCE_INTERVAL_MS, `kept through its missed heartbeats (${expiredAfter} ms)`);
    await waitFor(async () => ((await metric(gateway, 'predictors_up')) === 0 ? true : undefined), 3000, 'predictors_up 0');
    const byName = await queues();
    assert.equal(byName.get('ml')?.consumers, 0);
    assert.equal(byName.get('ml.interactive')?.consumers, 0);
  });

  it('answers /monitoring/queues with 503 in the error shape while the broker is cut off, and recovers', async () => {
    const proxy = new TcpProxy('127.0.0.1', 5672);
    await proxy.up();
    const cutOff = new AppProcess('api-gateway', testPort(), { ...common, AMQP_URL: `amqp://guest:guest@127.0.0.1:${proxy.port}` });
    try {
      await cutOff.start();
      assert.equal((await get(cutOff, '/monitoring/queues')).status, 200);
      await proxy.down();
      const started = Date.now();
      const down = await get<Json>(cutOff, '/monitoring/queues');
      assert.equal(down.status, 503, JSON.stringify(down.body));
      assert.deepEqual(down.body, { statusCode: 503, error: 'service_unavailable', message: 'message broker unavailable, try again' });
      assert.ok(Date.now() - started < 3000, 'bounded by the read timeout');
      assert.equal(await metric(cutOff, 'broker_queue_messages', 'queue="ml"'), undefined, 'no stale depth while the broker is away');
      await proxy.up();
      await waitFor(async () => ((await get(cutOff, '/monitoring/queues')).status === 200 ? true : undefined), 15_000, 'queue stats after reconnect');
      assert.ok(cutOff.isRunning(), 'the outage did not crash the gateway');
    } finally {
      await cutOff.stop();
      await proxy.down();
    }
  });
});
