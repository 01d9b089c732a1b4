// Redis away or flushed, seen from the public API: status reads and submissions answer 503 (not 5xx noise,
// not a hang), readiness says so, everything works again when Redis is back, and a flushed task is 404. The
// gateway answers a task it accepted from its view cache (ADR 0011) until its news of the task is older than
// STATUS_CACHE_FRESH_MS; past that, reads reflect Redis again.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AppProcess, deleteRedisKeys, deleteTopology, TcpProxy, testPort, uniquePrefix, waitFor } from '@app/testing';

const prefix = uniquePrefix('redis');
const proxy = new TcpProxy('127.0.0.1', 6379);
let results: AppProcess;
let predictor: AppProcess;
let gateway: AppProcess;
type Json = Record<string, unknown>;
/** The gateway's STATUS_CACHE_FRESH_MS here: short, so that the test can wait it out. */
const FRESH_MS = 1500;
const cacheGoesStale = () => new Promise((r) => setTimeout(r, FRESH_MS + 200));

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Json; ms: number }> {
  const started = Date.now();
  const res = await fetch(`${gateway.baseUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Json, ms: Date.now() - started };
}

describe('Redis outage and flush', () => {
  before(async () => {
    await proxy.up();
    const common = { QUEUE_PREFIX: prefix, REDIS_KEY_PREFIX: prefix, LOG_LEVEL: 'error', REDIS_URL: `redis://127.0.0.1:${proxy.port}` };
    results = new AppProcess('results', testPort(), common);
    predictor = new AppProcess('predictor', testPort(), common);
    gateway = new AppProcess('api-gateway', testPort(), { ...common, STATUS_CACHE_FRESH_MS: String(FRESH_MS) });
    await Promise.all([results.start(), predictor.start(), gateway.start()]);
  });

  after(async () => {
    await Promise.all([gateway.stop(), predictor.stop(), results.stop()]);
    await proxy.down();
    await deleteTopology({ prefix, retryDelaysMs: [2000, 4000] });
    await deleteRedisKeys(prefix);
  });

  it('answers 503 while Redis is away, recovers after, and reads a flushed task as 404', async () => {
    const features = Object.fromEntries(((await call('GET', '/predict/model/info')).body.features as string[]).map((f) => [f, 0.1]));
    const before = await call('POST', '/predict/async/', { match_id: 1, features });
    assert.equal(before.status, 202);
    const taskId = String(before.body.task_id);
    await waitFor(async () => ((await call('GET', `/monitoring/task_status/${taskId}`)).body.status === 'success' ? true : undefined), 10_000, 'the first task');

    await proxy.down();
    const cached = await call('GET', `/monitoring/task_status/${taskId}`);
    assert.equal(cached.status, 200, 'answered from the view cache while its news is fresh');
    assert.equal(cached.body.status, 'success');
    await cacheGoesStale();
    const status = await call('GET', `/monitoring/task_status/${taskId}`);
    assert.equal(status.status, 503, JSON.stringify(status.body));
    assert.equal(status.body.error, 'service_unavailable');
    assert.ok(status.ms < 3000, `answered in ${status.ms} ms`);
    const submit = await call('POST', '/predict/async/', { match_id: 2, features });
    assert.equal(submit.status, 503, JSON.stringify(submit.body));
    assert.equal((await fetch(`${results.baseUrl}/health/ready`)).status, 503);

    await proxy.up();
    await waitFor(async () => ((await fetch(`${results.baseUrl}/health/ready`)).status === 200 ? true : undefined), 15_000, 'results ready again');
    const again = await call('POST', '/predict/async/', { match_id: 2, features });
    assert.equal(again.status, 202, JSON.stringify(again.body));
    await waitFor(async () => ((await call('GET', `/monitoring/task_status/${String(again.body.task_id)}`)).body.status === 'success' ? true : undefined), 10_000, 'the task after recovery');

    await deleteRedisKeys(prefix);
    await cacheGoesStale();
    const flushed = await call('GET', `/monitoring/task_status/${taskId}`);
    assert.equal(flushed.status, 404, 'a flushed task is unknown, never pending');
  });
});
