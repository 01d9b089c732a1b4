// Logs end to end: the gateway as a process writes JSON lines to stdout, echoes correlation ids, honours
// LOG_LEVEL, and loses no line on a graceful stop or a boot failure (its writes to stdout are asynchronous).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AppProcess, deleteTopology, testPort, uniquePrefix, waitFor } from '@app/testing';

const prefix = uniquePrefix('logs');
const common = { QUEUE_PREFIX: prefix, REDIS_KEY_PREFIX: prefix };
const verbose = new AppProcess('api-gateway', testPort(), { ...common, LOG_LEVEL: 'debug' });
const quiet = new AppProcess('api-gateway', testPort(), { ...common, LOG_LEVEL: 'warn' });
const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

type Line = Record<string, unknown>;

/** Every stdout line, parsed; fails on any line that is not a JSON log entry of the gateway. */
function logLines(app: AppProcess): Line[] {
  return app.stdout().map((text) => {
    let line: Line;
    try {
      line = JSON.parse(text) as Line;
    } catch {
      throw new Error(`not a JSON line: ${text}`);
    }
    assert.ok(LEVELS.has(line.level as string), `level: ${text}`);
    assert.ok(typeof line.time === 'string' && !Number.isNaN(Date.parse(line.time)), `time: ${text}`);
    assert.equal(line.app, 'api-gateway', text);
    assert.equal(typeof line.msg, 'string', text);
    assert.equal(typeof line.pid, 'number', text);
    assert.equal(typeof line.hostname, 'string', text);
    return line;
  });
}

function find(app: AppProcess, what: string, match: (line: Line) => boolean): Promise<Line> {
  return waitFor(() => logLines(app).find(match), 5000, `${app.app} to log ${what}`);
}

describe('logs and correlation ids', () => {
  before(async () => {
    await Promise.all([verbose.start(), quiet.start()]);
  });

  after(async () => {
    await Promise.all([verbose.stop(), quiet.stop()]);
    await deleteTopology({ prefix, retryDelaysMs: [2000, 4000] });
  });

  it('echoes a valid X-Correlation-Id, makes one up otherwise, and logs the request with it', async () => {
    const given = await fetch(`${verbose.baseUrl}/predict/matches/`, { headers: { 'X-Correlation-Id': 'abc-123' } });
    assert.equal(given.status, 200);
    assert.equal(given.headers.get('x-correlation-id'), 'abc-123');
    const made = await fetch(`${verbose.baseUrl}/predict/matches/`, { headers: { 'X-Correlation-Id': 'no spaces allowed' } });
    assert.match(made.headers.get('x-correlation-id') ?? '', UUID);
    const refused = await fetch(`${verbose.baseUrl}/predict/`, { method: 'POST', headers: { 'content-type': 'text/plain', 'x-correlation-id': 'abc-415' }, body: 'x' });
    assert.equal(refused.status, 415);
    assert.equal(refused.headers.get('x-correlation-id'), 'abc-415');

    const access = await find(verbose, 'the access line', (l) => l.context === 'http' && l.correlation_id === 'abc-123');
    assert.equal(access.level, 'debug');
    assert.deepEqual([access.method, access.route, access.status], ['GET', '/predict/matches', 200]);
    assert.ok(typeof access.duration_ms === 'number' && access.duration_ms >= 0);
    await find(verbose, 'the refused request', (l) => l.context === 'http' && l.correlation_id === 'abc-415' && l.status === 415);
  });

  it("writes every line, Nest's own boot lines included, as JSON with level, time, app and msg", () => {
    const lines = logLines(verbose);
    assert.ok(lines.some((l) => l.context === 'NestFactory' && l.level === 'info'), 'Nest boot lines go through the same logger');
    const ready = lines.find((l) => l.msg === 'api-gateway ready');
    assert.ok(ready, 'the ready line');
    assert.equal(ready.http_port, verbose.port);
    assert.equal(ready.queue_prefix, prefix);
  });

  it('at LOG_LEVEL=warn writes no info or debug line', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await fetch(`${quiet.baseUrl}/predict/matches/`)).status, 200);
    const stopped = await quiet.stop('SIGTERM');
    assert.equal(stopped.forced, false);
    const levels = logLines(quiet).map((l) => l.level);
    assert.deepEqual(levels.filter((level) => level !== 'warn' && level !== 'error' && level !== 'fatal'), []);
    // The same requests and boot at debug do write such lines: the silence is the level's doing.
    assert.ok(logLines(verbose).some((l) => l.level === 'info') && logLines(verbose).some((l) => l.level === 'debug'));
  });

  it('flushes its last lines on a graceful stop', async () => {
    const stopped = await verbose.stop('SIGTERM');
    assert.equal(stopped.forced, false);
    assert.equal(stopped.code, 0);
    await find(verbose, 'its shutdown line', (l) => l.msg === 'HTTP server closed, shutting down');
  });

  it('reports a boot failure as one fatal JSON line naming the variable, and exits 1', async () => {
    const broken = new AppProcess('api-gateway', testPort(), { ...common, LOG_LEVEL: 'loud' });
    await assert.rejects(broken.start(5000), /exited \(1\) before it was ready/);
    const fatal = await find(broken, 'the fatal line', (l) => l.level === 'fatal');
    assert.match(String(fatal.msg), /^boot failed: invalid configuration:\n {2}- LOG_LEVEL="loud": LOG_LEVEL must be one of /);
  });
});
