import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance } from 'fastify';
import { installAccessControl, type AccessControlOptions } from './access-control.hook.js';

const KEY = 'test-key-0123456789abcdef';

async function server(options: AccessControlOptions): Promise<FastifyInstance> {
  const app = Fastify();
  installAccessControl(app, options);
  for (const path of ['/predict/', '/predict/matches', '/predict/:match_id', '/monitoring/task_status/:task_id', '/metrics', '/health/live']) {
    app.get(path, () => ({ ok: true }));
  }
  await app.ready();
  return app;
}

describe('installAccessControl', () => {
  it('requires a valid X-API-Key on /predict and /monitoring only, in the standard error shape', async () => {
    const app = await server({ apiKeys: [KEY], ratePerMinute: 0 });
    for (const url of ['/predict/', '/predict/matches', '/predict/42', '/monitoring/task_status/x', '/%70redict/matches']) {
      const res = await app.inject({ url });
      assert.equal(res.statusCode, 401, url);
      assert.deepEqual(Object.keys(res.json<Record<string, unknown>>()).sort(), ['error', 'message', 'statusCode']);
      assert.equal(res.json<{ error: string }>().error, 'unauthorized');
      assert.equal((await app.inject({ url, headers: { 'x-api-key': 'wrong-key-0123456789abcdef' } })).statusCode, 401);
      assert.equal((await app.inject({ url, headers: { 'x-api-key': KEY } })).statusCode, 200, url);
    }
    for (const url of ['/metrics', '/health/live', '/nowhere']) {
      assert.notEqual((await app.inject({ url })).statusCode, 401, url);
    }
    await app.close();
  });

  it('limits each client, answering 429 with Retry-After', async () => {
    const app = await server({ apiKeys: [], ratePerMinute: 3 });
    for (let i = 0; i < 3; i++) assert.equal((await app.inject({ url: '/predict/matches' })).statusCode, 200);
    const limited = await app.inject({ url: '/predict/matches' });
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.headers['retry-after'], '20');
    assert.equal(limited.json<{ error: string }>().error, 'too_many_requests');
    assert.equal((await app.inject({ url: '/metrics' })).statusCode, 200, 'metrics are never limited');
    assert.equal((await app.inject({ url: '/predict/matches', remoteAddress: '10.0.0.2' })).statusCode, 200, 'another address has its own bucket');
    await app.close();
  });

  it('counts per key when keys are configured, and unauthenticated attempts per address', async () => {
    const other = 'other-key-0123456789abcdef';
    const app = await server({ apiKeys: [KEY, other], ratePerMinute: 2 });
    const get = (key?: string) => app.inject({ url: '/predict/matches', headers: key ? { 'x-api-key': key } : {} });
    assert.equal((await get(KEY)).statusCode, 200);
    assert.equal((await get(KEY)).statusCode, 200);
    assert.equal((await get(KEY)).statusCode, 429);
    assert.equal((await get(other)).statusCode, 200, 'another key has its own bucket');
    assert.equal((await get('guess-0123456789abcdef')).statusCode, 401);
    assert.equal((await get('guess-0123456789abcdeg')).statusCode, 401);
    assert.equal((await get('guess-0123456789abcdeh')).statusCode, 429, 'guessing keys is limited too');
    await app.close();
  });

  it('installs nothing when both are off', async () => {
    const app = await server({ apiKeys: [], ratePerMinute: 0 });
    for (let i = 0; i < 5; i++) assert.equal((await app.inject({ url: '/predict/matches' })).statusCode, 200);
    await app.close();
  });
});
