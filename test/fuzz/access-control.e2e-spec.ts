// API keys and the rate limit on a real gateway process: 401 and 429 in the standard error shape, with
// Retry-After, while /metrics and /health/* stay open. The gateway alone: refused requests never reach
// the broker, and the open routes need none of the other apps.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AppProcess, deleteTopology, testPort, uniquePrefix } from '@app/testing';

const prefix = uniquePrefix('access');
const KEYS = ['fuzz-key-one-0123456789', 'fuzz-key-two-0123456789'];
const LIMIT = 5;
const gateway = new AppProcess('api-gateway', testPort(), {
  QUEUE_PREFIX: prefix,
  LOG_LEVEL: 'warn',
  API_KEYS: KEYS.join(', '),
  RATE_LIMIT_PER_MINUTE: String(LIMIT),
});

type Json = Record<string, unknown>;

async function get(path: string, key?: string): Promise<{ status: number; headers: Headers; body: Json }> {
  const res = await fetch(`${gateway.baseUrl}${path}`, { headers: key === undefined ? {} : { 'x-api-key': key } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text.startsWith('{') ? (JSON.parse(text) as Json) : {} };
}

function assertErrorShape(body: Json, status: number, error: string): void {
  assert.deepEqual(Object.keys(body).sort(), ['error', 'message', 'statusCode']);
  assert.equal(body.statusCode, status);
  assert.equal(body.error, error);
  assert.equal(typeof body.message, 'string');
}

describe('gateway API keys and rate limit', () => {
  before(() => gateway.start());

  after(async () => {
    await gateway.stop();
    await deleteTopology({ prefix, retryDelaysMs: [] });
  });

  it('answers 401 without a valid X-API-Key on /predict and /monitoring, before reading the body', async () => {
    for (const [path, key] of [
      ['/predict/matches/', undefined],
      ['/predict/model/info', 'wrong-key-0123456789abc'],
      ['/monitoring/task_status/6f1c7d1e-0d7a-4d7e-9a51-3b8f2b0c9a11', ''],
      ['/%70redict/matches', undefined],
    ] as const) {
      const res = await get(path, key);
      assert.equal(res.status, 401, `${path}: ${JSON.stringify(res.body)}`);
      assertErrorShape(res.body, 401, 'unauthorized');
    }
    const post = await fetch(`${gateway.baseUrl}/predict/async/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"match_id": ' });
    assert.equal(post.status, 401, 'refused before the malformed body is parsed');
  });

  it('keeps /metrics and /health open and unlimited', async () => {
    for (let i = 0; i < LIMIT * 3; i++) {
      assert.equal((await get('/health/live')).status, 200);
      assert.equal((await get('/metrics')).status, 200);
    }
    assert.equal((await get('/health/ready')).status, 200);
  });

  it('serves a valid key, then answers 429 with Retry-After once its bucket is empty; another key has its own', async () => {
    const [first, second] = KEYS as [string, string];
    // The 401s above were charged to this address, not to the keys.
    for (let i = 0; i < LIMIT; i++) {
      const ok = await get('/predict/matches/', first);
      assert.equal(ok.status, 200, `request ${i + 1}: ${JSON.stringify(ok.body)}`);
    }
    const limited = await get('/predict/matches/', first);
    assert.equal(limited.status, 429);
    assertErrorShape(limited.body, 429, 'too_many_requests');
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60 / LIMIT, `Retry-After ${limited.headers.get('retry-after')}`);
    assert.equal((await get('/predict/matches/', second)).status, 200, 'the second key is not limited by the first');
  });

  it('limits guessing keys per address', async () => {
    let status = 0;
    for (let i = 0; i < LIMIT + 2 && status !== 429; i++) status = (await get('/predict/matches/', `guess-${i}-0123456789abcdef`)).status;
    assert.equal(status, 429);
  });
});
