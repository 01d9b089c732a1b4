// End to end: the three apps as separate processes over the real RabbitMQ and Redis, driven over HTTP.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import amqp from 'amqplib';
import { buildTopology } from '@app/messaging';
import { createHash } from 'node:crypto';
import { AppProcess, deleteRedisKeys, deleteTopology, NestWireClient, TEST_AMQP_URL, testPort, uniquePrefix, waitFor } from '@app/testing';

const prefix = uniquePrefix('e2e');
const FAULTY_MATCH_ID = 987_654_321;
const SYNC_TIMEOUT_MS = 3000;
const topologyOptions = { prefix, retryDelaysMs: [200, 400] };
const topology = buildTopology(topologyOptions);
const common = { QUEUE_PREFIX: prefix, REDIS_KEY_PREFIX: prefix, LOG_LEVEL: 'warn' };

const results = new AppProcess('results', testPort(), common);
const predictor = new AppProcess('predictor', testPort(), {
  ...common,
  TASK_MAX_ATTEMPTS: '3',
  TASK_RETRY_DELAY_MS: '200',
  FAULT_INJECT_FAIL_MATCH_IDS: String(FAULTY_MATCH_ID),
});
const gateway = new AppProcess('api-gateway', testPort(), { ...common, SYNC_TIMEOUT_MS: String(SYNC_TIMEOUT_MS) });

type Json = Record<string, unknown>;

async function http(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${gateway.baseUrl}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
}

async function metric(app: AppProcess, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${app.baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

async function pollUntilTerminal(taskId: string, timeoutMs = 20_000): Promise<Json> {
  return waitFor(
    async () => {
      const { status, body } = await http('GET', `/monitoring/task_status/${taskId}`);
      assert.equal(status, 200, `status of ${taskId}: ${JSON.stringify(body)}`);
      return body.status === 'success' || body.status === 'failure' ? body : undefined;
    },
    timeoutMs,
    `task ${taskId} to finish`,
    50,
  );
}

async function queueDepth(queue: string): Promise<number> {
  const connection = await amqp.connect(TEST_AMQP_URL);
  try {
    const channel = await connection.createChannel();
    const { messageCount } = await channel.checkQueue(queue);
    await channel.close();
    return messageCount;
  } finally {
    await connection.close();
  }
}

let features: Record<string, number> = {};
let historyMatchId = 0;

describe('match-predict end to end', () => {
  before(async () => {
    await Promise.all([results.start(), predictor.start(), gateway.start()]);
    const info = await http('GET', '/predict/model/info');
    assert.equal(info.status, 200);
    features = Object.fromEntries((info.body.features as string[]).map((name) => [name, 0]));
    const matches = await http('GET', '/predict/matches/');
    const list = matches.body as unknown as { match_id: number }[];
    assert.ok(Array.isArray(list) && list.length > 0, 'the shipped data has upcoming matches');
    historyMatchId = list[0]!.match_id;
  });

  after(async () => {
    await Promise.all([gateway.stop(), predictor.stop(), results.stop()]);
    await deleteTopology(topologyOptions);
    await deleteRedisKeys(prefix);
  });

  it('serves model info with the serving backend', async () => {
    const { status, body } = await http('GET', '/predict/model/info');
    assert.equal(status, 200);
    assert.equal(body.name, 'match-outcome');
    assert.ok(['tensorflow', 'wasm', 'cpu'].includes(String(body.backend)), `backend ${String(body.backend)}`);
    assert.ok(Object.keys(features).length > 0);
  });

  it('predicts synchronously from inline features and from match history', async () => {
    const inline = await http('POST', '/predict/', { match_id: 42, features });
    assert.equal(inline.status, 200, JSON.stringify(inline.body));
    assert.equal(inline.body.match_id, 42);
    assert.ok([0, 1, 2].includes(inline.body.predicted_class as number));
    const p = inline.body.probabilities as Record<string, number>;
    assert.ok(Math.abs(p['0']! + p['1']! + p['2']! - 1) < 1e-4, 'probabilities sum to 1');
    assert.equal(typeof inline.body.model_run_id, 'string');
    assert.equal(inline.body.features_source, 'inline');

    const fromHistory = await http('POST', '/predict', { match_id: historyMatchId });
    assert.equal(fromHistory.status, 200, JSON.stringify(fromHistory.body));
    assert.equal(fromHistory.body.features_source, 'history');
  });

  it('answers 404 for a match it has no history for and no features were sent', async () => {
    const { status, body } = await http('POST', '/predict/', { match_id: 1 });
    assert.equal(status, 404, JSON.stringify(body));
    assert.equal(body.error, 'not_found');
  });

  it('runs an async task: 202 at once, readable at once, then success with the result', async () => {
    const submitted = await http('POST', '/predict/async/', { match_id: 7, features });
    assert.equal(submitted.status, 202, JSON.stringify(submitted.body));
    assert.equal(submitted.body.status, 'submitted');
    const taskId = String(submitted.body.task_id);
    assert.equal(submitted.body.status_url, `/monitoring/task_status/${taskId}`);
    const immediately = await http('GET', `/monitoring/task_status/${taskId}`);
    assert.equal(immediately.status, 200, 'a just-accepted task is known, never 404');
    assert.ok(['pending', 'started', 'success'].includes(String(immediately.body.status)));
    const done = await pollUntilTerminal(taskId);
    assert.equal(done.status, 'success', JSON.stringify(done));
    assert.equal((done.result as Json).match_id, 7);
  });

  it('returns the same task for a repeated submission and for a repeated Idempotency-Key, queueing nothing new', async () => {
    const processedBefore = await metric(predictor, 'predictor_tasks_processed_total', 'outcome="success"');
    const body = { match_id: 8, features: { ...features } };
    const first = await http('POST', '/predict/async/', body);
    const reordered = Object.fromEntries(Object.entries(features).reverse());
    const second = await http('POST', '/predict/async/', { features: reordered, match_id: 8 });
    assert.equal(first.status, 202);
    assert.equal(second.body.task_id, first.body.task_id);
    await pollUntilTerminal(String(first.body.task_id));
    const third = await http('POST', '/predict/async/', body);
    assert.equal(third.body.task_id, first.body.task_id, 'a succeeded task is still the answer');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await metric(predictor, 'predictor_tasks_processed_total', 'outcome="success"'), processedBefore + 1, 'scored once');

    const keyed1 = await http('POST', '/predict/async/', { match_id: 9, features }, { 'idempotency-key': 'order-123' });
    const keyed2 = await http('POST', '/predict/async/', { match_id: 10, features }, { 'idempotency-key': 'order-123' });
    assert.equal(keyed2.body.task_id, keyed1.body.task_id);
    await pollUntilTerminal(String(keyed1.body.task_id));
  });

  it('publishes a reservation whose submitter never queued it, so a retried submission still runs', async () => {
    // A submitter that reserved the task in results and died before publishing it.
    const wire = await NestWireClient.connect(TEST_AMQP_URL);
    const key = `client:${createHash('sha256').update('orphan-1').digest('hex')}`;
    const orphan = await wire.call<{ task_id: string; created: boolean; queued: boolean }>(topology.queues.resultsRpc, 'task.create.v1', {
      idempotency_key: key,
      request: { match_id: 11, features },
    });
    await wire.close();
    assert.equal(orphan.created, true);
    assert.equal(orphan.queued, false);
    const retried = await http('POST', '/predict/async/', { match_id: 11, features }, { 'idempotency-key': 'orphan-1' });
    assert.equal(retried.status, 202);
    assert.equal(retried.body.task_id, orphan.task_id);
    const done = await pollUntilTerminal(orphan.task_id);
    assert.equal(done.status, 'success');
  });

  it('answers 404 for an unknown task id, never pending', async () => {
    const unknown = await http('GET', '/monitoring/task_status/6f1c7d1e-0d7a-4d7e-9a51-3b8f2b0c9a11');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error, 'not_found');
    const garbage = await http('GET', '/monitoring/task_status/not-a-task');
    assert.equal(garbage.status, 404);
  });

  it('refuses bad input with 422 and one error shape, queueing nothing', async () => {
    const depthBefore = await queueDepth(topology.queues.work);
    const cases: unknown[] = [
      { match_id: 'x' },
      { match_id: -1 },
      { match_id: 1.5 },
      { features },
      { match_id: 1, extra: true },
      { match_id: 1, features: { a: 'high' } },
      [1, 2],
    ];
    for (const body of cases) {
      for (const path of ['/predict/', '/predict/async/']) {
        const res = await http('POST', path, body);
        assert.equal(res.status, 422, `${path} ${JSON.stringify(body)} → ${res.status} ${JSON.stringify(res.body)}`);
        assert.equal(res.body.statusCode, 422);
        assert.equal(res.body.error, 'unprocessable_entity');
        assert.equal(typeof res.body.message, 'string');
        assert.ok(!JSON.stringify(res.body).includes('    at '), 'no stack trace');
      }
    }
    const wrongFeatures = { ...features, not_a_feature: 1 } as Record<string, number>;
    const firstName = Object.keys(features)[0]!;
    delete wrongFeatures[firstName];
    for (const path of ['/predict/', '/predict/async/']) {
      const res = await http('POST', path, { match_id: 1, features: wrongFeatures });
      assert.equal(res.status, 422);
      assert.deepEqual((res.body.details as Json).unknown, ['not_a_feature']);
      assert.deepEqual((res.body.details as Json).missing, [firstName]);
    }
    const malformed = await http('POST', '/predict/', '{"match_id": ');
    assert.equal(malformed.status, 400);
    const notJson = await fetch(`${gateway.baseUrl}/predict/`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' });
    assert.equal(notJson.status, 415);
    assert.equal(((await notJson.json()) as Json).error, 'unsupported_media_type');
    const polluted = await http('POST', '/predict/async/', '{"match_id": 1, "__proto__": {"admin": true}}');
    assert.equal(polluted.status, 400);
    const tooBig = await http('POST', '/predict/', { match_id: 1, pad: 'x'.repeat(64 * 1024) });
    assert.equal(tooBig.status, 413);
    assert.equal(await queueDepth(topology.queues.work), depthBefore, 'nothing was queued');
  });

  it('fails a task after the bounded retries, with its message in the dead-letter queue', async () => {
    const submitted = await http('POST', '/predict/async/', { match_id: FAULTY_MATCH_ID, features });
    assert.equal(submitted.status, 202);
    const taskId = String(submitted.body.task_id);
    const done = await pollUntilTerminal(taskId);
    assert.equal(done.status, 'failure');
    assert.equal(done.attempts, 3);
    assert.match(String(done.error), /attempts_exhausted/);

    const connection = await amqp.connect(TEST_AMQP_URL);
    try {
      const channel = await connection.createChannel();
      const dead = await waitFor(async () => {
        const msg = await channel.get(topology.queues.deadLetter, { noAck: false });
        if (!msg) return undefined;
        channel.ack(msg);
        const parsed = JSON.parse(msg.content.toString()) as { data: { task_id: string } };
        return parsed.data.task_id === taskId ? msg : undefined;
      }, 5000, 'the dead-lettered task message');
      assert.equal(dead.properties.headers?.['mp-death-reason'], 'attempts_exhausted');
      assert.equal(dead.properties.headers?.['mp-attempt'], 3);
      await channel.close();
    } finally {
      await connection.close();
    }
  });

  it('counts both seed metrics', async () => {
    assert.ok((await metric(gateway, 'prediction_requests_total', 'source="sync"')) >= 2);
    assert.ok((await metric(gateway, 'prediction_requests_total', 'source="async"')) >= 4);
  });

  it('answers 504 when no predictor is running, counts the timeout, and never scores the expired request', async () => {
    await predictor.stop('SIGTERM');
    const timeoutsBefore = await metric(gateway, 'prediction_timeouts_total');
    const started = Date.now();
    const late = await http('POST', '/predict/', { match_id: 43, features });
    const elapsed = Date.now() - started;
    assert.equal(late.status, 504, JSON.stringify(late.body));
    assert.equal(late.body.error, 'gateway_timeout');
    assert.ok(elapsed >= SYNC_TIMEOUT_MS - 100 && elapsed < SYNC_TIMEOUT_MS + 2000, `answered after ${elapsed} ms`);
    assert.equal(await metric(gateway, 'prediction_timeouts_total'), timeoutsBefore + 1);

    await predictor.start();
    // The expired request was dropped by the broker, so the fresh predictor scores nothing from the sync lane.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await metric(predictor, 'inference_duration_seconds_count', 'source="sync"'), 0);
    const again = await http('POST', '/predict/', { match_id: 44, features });
    assert.equal(again.status, 200);
  });
});
