// One task's story across the three apps: the gateway's X-Correlation-Id travels with the task message and the
// events, so the log lines of gateway, predictor and results for that task carry the same task_id and
// correlation_id — for a task that succeeds and for one that is retried and dead-lettered.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AppProcess, deleteRedisKeys, deleteTopology, testPort, uniquePrefix, waitFor } from '@app/testing';

const prefix = uniquePrefix('corr');
const FAILING_MATCH = 4242;
const common = {
  QUEUE_PREFIX: prefix,
  REDIS_KEY_PREFIX: prefix,
  LOG_LEVEL: 'debug',
  RATE_LIMIT_PER_MINUTE: '0',
  TASK_MAX_ATTEMPTS: '2',
  TASK_RETRY_DELAY_MS: '100',
};
const results = new AppProcess('results', testPort(), common);
const predictor = new AppProcess('predictor', testPort(), { ...common, FAULT_INJECT_FAIL_MATCH_IDS: String(FAILING_MATCH) });
const gateway = new AppProcess('api-gateway', testPort(), common);

type Line = Record<string, unknown>;

function lines(app: AppProcess): Line[] {
  return app.stdout().flatMap((text) => {
    try {
      return [JSON.parse(text) as Line];
    } catch {
      return [];
    }
  });
}

function logged(app: AppProcess, what: string, match: (line: Line) => boolean): Promise<Line> {
  return waitFor(() => lines(app).find(match), 10_000, `${app.app} to log ${what}`);
}

async function submit(matchId: number, correlationId: string): Promise<string> {
  const info = (await (await fetch(`${gateway.baseUrl}/predict/model/info`)).json()) as { features: string[] };
  const features = Object.fromEntries(info.features.map((f) => [f, 0.25]));
  const res = await fetch(`${gateway.baseUrl}/predict/async/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-correlation-id': correlationId },
    body: JSON.stringify({ match_id: matchId, features }),
  });
  assert.equal(res.status, 202);
  assert.equal(res.headers.get('x-correlation-id'), correlationId);
  return ((await res.json()) as { task_id: string }).task_id;
}

describe('correlation ids across gateway → predictor → results', () => {
  before(async () => {
    await results.start();
    await predictor.start();
    await gateway.start();
  });

  after(async () => {
    await Promise.all([gateway.stop(), predictor.stop(), results.stop()]);
    await deleteTopology({ prefix, retryDelaysMs: [100] });
    await deleteRedisKeys(prefix);
  });

  it('a successful task: accepted, scored and recorded under one task_id and correlation_id', async () => {
    const cid = 'story-ok-1';
    const taskId = await submit(7, cid);
    const same = (l: Line) => l.task_id === taskId && l.correlation_id === cid;
    await logged(gateway, 'the acceptance', (l) => same(l) && l.msg === 'task accepted');
    const scored = await logged(predictor, 'the scoring', (l) => same(l) && l.msg === 'task scored');
    assert.equal(scored.attempt, 1);
    await logged(results, 'started', (l) => same(l) && l.msg === 'task state changed' && l.to === 'started');
    await logged(results, 'success', (l) => same(l) && l.msg === 'task state changed' && l.to === 'success');
  });

  it('a failing task: each retry and the dead-letter carry the correlation id, in every app', async () => {
    const cid = 'story-fail-1';
    const taskId = await submit(FAILING_MATCH, cid);
    const same = (l: Line) => l.task_id === taskId && l.correlation_id === cid;
    const retry = await logged(predictor, 'the retry', (l) => same(l) && l.msg === 'task attempt failed; retrying');
    assert.equal(retry.level, 'warn');
    await logged(predictor, 'the dead-letter', (l) => same(l) && l.msg === 'dead-lettering a task message' && l.reason === 'attempts_exhausted');
    await logged(results, 'the retry state', (l) => same(l) && l.to === 'retry');
    await logged(results, 'the failure', (l) => same(l) && l.msg === 'task state changed' && l.to === 'failure');
  });
});
