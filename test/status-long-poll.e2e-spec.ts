// Task-status long-polls (`GET /monitoring/task_status/{id}?wait_ms=`) across the three apps over the real
// RabbitMQ and Redis: held while the task is open, answered on the settled notice, bounded, and let go when
// the client leaves.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AppProcess, deleteRedisKeys, deleteTopology, testPort, uniquePrefix, waitFor } from '@app/testing';

const prefix = uniquePrefix('e2e-longpoll');
// The predictor's default retry policy (3 attempts, 2000 ms doubling): its retry queues are cleaned up too.
const topologyOptions = { prefix, retryDelaysMs: [2000, 4000] };
const common = { QUEUE_PREFIX: prefix, REDIS_KEY_PREFIX: prefix, LOG_LEVEL: 'warn' };
// Rechecks far apart: an answer well inside this comes from the settled notice, not from a recheck.
const RECHECK_MS = 15_000;

const results = new AppProcess('results', testPort(), common);
const predictor = new AppProcess('predictor', testPort(), common);
const gateway = new AppProcess('api-gateway', testPort(), { ...common, STATUS_WAIT_RECHECK_MS: String(RECHECK_MS), STATUS_WAIT_MAX_MS: '20000' });

type Json = Record<string, unknown>;

async function http(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<{ status: number; body: Json; ms: number }> {
  const started = performance.now();
  const res = await fetch(`${gateway.baseUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Json) : {}, ms: performance.now() - started };
}

async function waiters(): Promise<number> {
  const text = await (await fetch(`${gateway.baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('task_status_waiters'));
  assert.ok(line, 'the gateway exports task_status_waiters');
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

let features: Record<string, number> = {};

async function submit(matchId: number): Promise<string> {
  const submitted = await http('POST', '/predict/async/', { match_id: matchId, features });
  assert.equal(submitted.status, 202, JSON.stringify(submitted.body));
  return submitted.body.task_id as string;
}

describe('task-status long-poll', () => {
  before(async () => {
    await Promise.all([results.start(), predictor.start(), gateway.start()]);
    const info = await http('GET', '/predict/model/info');
    assert.equal(info.status, 200);
    features = Object.fromEntries((info.body.features as string[]).map((n) => [n, 0]));
    // No predictor from here on until a test starts one: tasks stay pending.
    await predictor.stop();
  });

  after(async () => {
    await Promise.all([gateway.stop(), predictor.stop(), results.stop()]);
    await deleteTopology(topologyOptions);
    await deleteRedisKeys(prefix);
  });

  it('holds an open task for wait_ms, then answers with its state as it stands', async () => {
    const taskId = await submit(101);
    const held = http('GET', `/monitoring/task_status/${taskId}?wait_ms=1200`);
    await waitFor(async () => ((await waiters()) === 1 ? true : undefined), 1000, 'the long-poll to be held');
    const answer = await held;
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.status, 'pending');
    assert.ok(answer.ms >= 1100, `held for the wait (${answer.ms.toFixed(0)} ms)`);
    assert.equal(await waiters(), 0);
  });

  it('answers as soon as the task succeeds, woken by the settled notice', async () => {
    const taskId = await submit(102);
    const held = http('GET', `/monitoring/task_status/${taskId}?wait_ms=20000`);
    await waitFor(async () => ((await waiters()) === 1 ? true : undefined), 1000, 'the long-poll to be held');
    await predictor.start();
    const readyAt = performance.now();
    const answer = await held;
    const afterReady = performance.now() - readyAt;
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.status, 'success');
    assert.ok(answer.body.result, 'the result comes with it');
    assert.ok(afterReady < RECHECK_MS / 3, `answered ${afterReady.toFixed(0)} ms after the predictor was ready, long before a recheck`);
  });

  it('answers at once for a finished task, an unknown one, and without wait_ms', async () => {
    const taskId = await submit(103);
    const done = await http('GET', `/monitoring/task_status/${taskId}?wait_ms=20000`);
    assert.equal(done.body.status, 'success');
    const again = await http('GET', `/monitoring/task_status/${taskId}?wait_ms=20000`);
    assert.equal(again.body.status, 'success');
    assert.ok(again.ms < 1000, `a settled task is not held (${again.ms.toFixed(0)} ms)`);

    const unknown = await http('GET', '/monitoring/task_status/00000000-0000-4000-8000-000000000000?wait_ms=20000');
    assert.equal(unknown.status, 404);
    assert.ok(unknown.ms < 1000, `an unknown task is not held (${unknown.ms.toFixed(0)} ms)`);
  });

  it('refuses a bad wait_ms with 400 and the usual error shape', async () => {
    const taskId = await submit(104);
    for (const bad of ['20001', '-5', 'soon', '1.5']) {
      const res = await http('GET', `/monitoring/task_status/${taskId}?wait_ms=${bad}`);
      assert.equal(res.status, 400, `wait_ms=${bad}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error, 'bad_request');
      assert.match(String(res.body.message), /wait_ms/);
    }
  });

  it('lets a long-poll go when its client disconnects', async () => {
    await predictor.stop();
    const taskId = await submit(105);
    const client = new AbortController();
    const held = http('GET', `/monitoring/task_status/${taskId}?wait_ms=20000`, undefined, client.signal).catch((error: unknown) => error);
    await waitFor(async () => ((await waiters()) === 1 ? true : undefined), 1000, 'the long-poll to be held');
    client.abort();
    assert.ok((await held) instanceof Error, 'the client gave up');
    await waitFor(async () => ((await waiters()) === 0 ? true : undefined), 2000, 'the gateway to drop the abandoned long-poll');
  });
});
