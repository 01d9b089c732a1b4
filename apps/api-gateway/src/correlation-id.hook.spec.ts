import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { initLogging, type LogLevelName } from '@app/platform';
import Fastify, { type FastifyInstance } from 'fastify';
import { installAccessLog } from './access-log.hook.js';
import { CORRELATION_ID_HEADER, correlationIdFrom, installCorrelationId, requestCorrelationId } from './correlation-id.hook.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

type Line = Record<string, unknown>;

async function server(level: LogLevelName): Promise<{ app: FastifyInstance; lines: Line[] }> {
  const lines: Line[] = [];
  initLogging({ app: 'api-gateway', level, destination: { write: (text: string) => void lines.push(JSON.parse(text) as Line) } });
  const app = Fastify();
  installCorrelationId(app);
  installAccessLog(app);
  app.get('/echo', (request) => ({ seen: requestCorrelationId(request) }));
  app.get('/predict/:match_id', () => ({ ok: true }));
  app.get('/boom', () => {
    throw new Error('boom');
  });
  await app.ready();
  return { app, lines };
}

describe('correlation id', () => {
  it('keeps a valid incoming id, else makes a UUID', () => {
    assert.equal(correlationIdFrom('abc-123'), 'abc-123');
    for (const bad of [undefined, '', 'two words', 'x'.repeat(129), ['abc-123', 'def-456'], 'a\u0000b']) {
      assert.match(correlationIdFrom(bad), UUID, JSON.stringify(bad));
    }
    assert.notEqual(correlationIdFrom(undefined), correlationIdFrom(undefined));
  });

  it('echoes the caller id, hands it to the handler, and gives a fresh one to a request without a usable id', async () => {
    const { app } = await server('log');
    const kept = await app.inject({ url: '/echo', headers: { 'X-Correlation-Id': 'abc-123' } });
    assert.equal(kept.headers[CORRELATION_ID_HEADER], 'abc-123');
    assert.deepEqual(kept.json(), { seen: 'abc-123' });

    for (const headers of [{}, { 'x-correlation-id': 'not valid!' }, { 'x-correlation-id': 'y'.repeat(200) }]) {
      const res = await app.inject({ url: '/echo', headers });
      const id = res.headers[CORRELATION_ID_HEADER];
      assert.match(String(id), UUID);
      assert.deepEqual(res.json(), { seen: id });
    }
    // Answers that never reach a handler carry one too.
    assert.equal((await app.inject({ url: '/nowhere', headers: { 'x-correlation-id': 'lost-1' } })).headers[CORRELATION_ID_HEADER], 'lost-1');
    assert.equal((await app.inject({ url: '/boom', headers: { 'x-correlation-id': 'err-1' } })).headers[CORRELATION_ID_HEADER], 'err-1');
    await app.close();
  });
});

describe('access log', () => {
  it('writes one debug line per request with method, route template, status, duration and correlation id', async () => {
    const { app, lines } = await server('debug');
    await app.inject({ url: '/predict/42', headers: { 'x-correlation-id': 'abc-123' } });
    await app.inject({ url: '/nowhere' });
    const access = lines.filter((l) => l.context === 'http');
    assert.equal(access.length, 2, JSON.stringify(lines));
    const [hit, miss] = access as [Line, Line];
    assert.equal(hit.level, 'debug');
    assert.equal(hit.msg, 'GET /predict/:match_id 200');
    assert.deepEqual([hit.method, hit.route, hit.status, hit.correlation_id], ['GET', '/predict/:match_id', 200, 'abc-123']);
    assert.equal(typeof hit.duration_ms, 'number');
    assert.ok((hit.duration_ms as number) >= 0);
    assert.deepEqual([miss.route, miss.status], ['unmatched', 404]);
    assert.match(String(miss.correlation_id), UUID);
    await app.close();
  });

  it('writes nothing for 2xx-4xx at the default level, and a warn line for a 5xx', async () => {
    const { app, lines } = await server('log');
    await app.inject({ url: '/predict/42' });
    await app.inject({ url: '/nowhere' });
    assert.deepEqual(lines.filter((l) => l.context === 'http'), []);
    await app.inject({ url: '/boom', headers: { 'x-correlation-id': 'err-2' } });
    const access = lines.filter((l) => l.context === 'http');
    assert.equal(access.length, 1);
    assert.deepEqual([access[0]!.level, access[0]!.status, access[0]!.route, access[0]!.correlation_id], ['warn', 500, '/boom', 'err-2']);
    await app.close();
  });
});
