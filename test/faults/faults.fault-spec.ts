// The fault suite: a stream of async tasks through the whole suite while processes are killed, the broker
// restarts, results goes away and every app is stopped gracefully in turn. Then every accepted task must
// have reached a terminal state with a consistent result. Runs on a private RabbitMQ node (port 5673) so
// restarting "the broker" disturbs nothing else on the machine.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { buildTopology } from '@app/messaging';
import { AppProcess, deleteRedisKeys, PrivateBroker, queueStats, testPort, uniquePrefix, waitFor } from '@app/testing';
import { LoadDriver, sleep } from './load-driver.js';

const RATE = Number(process.env.FAULT_RATE ?? 20);
const PREDICTOR_KILLS = Number(process.env.FAULT_PREDICTOR_KILLS ?? 3);
const prefix = uniquePrefix('faults');
const broker = new PrivateBroker();
const common = () => ({
  AMQP_URL: broker.url,
  QUEUE_PREFIX: prefix,
  REDIS_KEY_PREFIX: prefix,
  LOG_LEVEL: 'warn',
  TASK_RETRY_DELAY_MS: '200',
  MODEL_POLL_MS: '0',
  // The suite is one client sending hundreds of requests a second: not what the per-client limit is for.
  RATE_LIMIT_PER_MINUTE: '0',
  BROKER_CONNECT_TIMEOUT_MS: '60000',
});

let results: AppProcess;
let predictors: AppProcess[];
let gateway: AppProcess;

type Json = Record<string, unknown>;
interface Injected { kind: string; detail: string; at_s: number }
const injected: Injected[] = [];
const graceful: { app: string; ms: number; code: number | null; signal: string | null; forced: boolean }[] = [];
const outage: { sync?: { status: number; ms: number }; async?: { status: number; ms: number }; readyDuring?: number[]; readyAfter?: number[] } = {};
let t0 = 0;

function note(kind: string, detail: string): void {
  injected.push({ kind, detail, at_s: Math.round((Date.now() - t0) / 100) / 10 });
}

async function timedPost(path: string, body: unknown): Promise<{ status: number; ms: number }> {
  const started = Date.now();
  try {
    const res = await fetch(`${gateway.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    await res.arrayBuffer();
    return { status: res.status, ms: Date.now() - started };
  } catch {
    return { status: 0, ms: Date.now() - started };
  }
}

async function readyStatus(app: AppProcess): Promise<number> {
  try {
    return (await fetch(`${app.baseUrl}/health/ready`, { signal: AbortSignal.timeout(3000) })).status;
  } catch {
    return 0;
  }
}

async function taskStatus(taskId: string): Promise<{ code: number; body: Json }> {
  const res = await fetch(`${gateway.baseUrl}/monitoring/task_status/${taskId}`, { signal: AbortSignal.timeout(10_000) });
  return { code: res.status, body: (await res.json()) as Json };
}

describe('fault suite: no accepted task lost, none stuck, none duplicated', () => {
  before(async () => {
    await broker.start();
    results = new AppProcess('results', testPort(), common());
    predictors = [0, 1].map(() => new AppProcess('predictor', testPort(), common()));
    gateway = new AppProcess('api-gateway', testPort(), { ...common(), SYNC_TIMEOUT_MS: '3000', RESULTS_RPC_TIMEOUT_MS: '2000' });
    await Promise.all([results.start(), ...predictors.map((p) => p.start()), gateway.start()]);
  });

  after(async () => {
    await Promise.all([gateway, results, ...predictors].map((a) => a.stop('SIGKILL')));
    await broker.shutdown();
    await deleteRedisKeys(prefix);
  });

  it('keeps every accepted task through kills, a broker restart, a results outage and graceful restarts', async (t) => {
    const info = (await (await fetch(`${gateway.baseUrl}/predict/model/info`)).json()) as Json;
    const features = info.features as string[];
    const driver = new LoadDriver(() => gateway.baseUrl, features);
    t0 = Date.now();
    const driving = driver.run(RATE, 16, Date.now() + 240_000);

    const [a, b] = predictors as [AppProcess, AppProcess];
    for (let k = 0; k < PREDICTOR_KILLS; k += 1) {
      await sleep(2500);
      const victim = k % 2 === 0 ? a : b;
      await victim.stop('SIGKILL');
      note('predictor SIGKILL', `predictor ${k % 2 === 0 ? 'A' : 'B'} mid-stream`);
      await sleep(500);
      await victim.start();
    }

    await sleep(1500);
    await broker.stopApp();
    note('broker restart', 'rabbitmqctl stop_app');
    await sleep(1500);
    outage.sync = await timedPost('/predict/', { match_id: 1, features: Object.fromEntries(features.map((f) => [f, 0])) });
    outage.async = await timedPost('/predict/async/', { match_id: 2, features: Object.fromEntries(features.map((f) => [f, 1])) });
    outage.readyDuring = await Promise.all([gateway, results, ...predictors].map(readyStatus));
    await sleep(1500);
    await broker.startApp();
    note('broker restart', 'rabbitmqctl start_app');
    let lastReady: number[] = [];
    await waitFor(
      async () => {
        lastReady = await Promise.all([gateway, results, ...predictors].map(readyStatus));
        return lastReady.every((s) => s === 200) ? true : undefined;
      },
      60_000,
      'every app ready again after the broker restart',
      250,
    ).catch((error: unknown) => {
      const apps = [gateway, results, ...predictors];
      const tails = apps.map((app, i) => `--- ${app.app} (ready ${lastReady[i]}) ---\n${app.logs().split('\n').slice(-15).join('\n')}`);
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${tails.join('\n')}`);
    });
    outage.readyAfter = await Promise.all([gateway, results, ...predictors].map(readyStatus));

    await sleep(2000);
    await results.stop('SIGKILL');
    note('results outage', 'results killed; events wait in their durable queue');
    await sleep(4000);
    await results.start();
    note('results outage', 'results restarted');

    for (const [name, app] of [
      ['predictor A', a],
      ['predictor B', b],
      ['results', results],
      ['api-gateway', gateway],
    ] as const) {
      await sleep(2000);
      const stopped = await app.stop('SIGTERM');
      graceful.push({ app: name, ms: stopped.ms, code: stopped.code, signal: stopped.signal, forced: stopped.forced });
      note('SIGTERM', `${name} stopped gracefully in ${stopped.ms} ms`);
      await app.start();
    }

    await sleep(2000);
    driver.close();
    await driving;
    await driver.resubmitAccepted(50);

    // Every accepted task must end: success or failure, read twice to see that results do not change.
    const accepted = driver.submissions.filter((s) => s.taskId);
    const outcome = { succeeded: 0, failed: 0, lost: 0, stuck: 0, inconsistent: 0 };
    const stuckByStatus: Record<string, number> = {};
    const first = new Map<string, string>();
    await waitFor(
      async () => {
        for (const s of accepted) {
          if (first.has(s.taskId!)) continue;
          const { code, body } = await taskStatus(s.taskId!);
          if (code === 200 && (body.status === 'success' || body.status === 'failure')) first.set(s.taskId!, JSON.stringify(body.result ?? body.error));
        }
        return first.size === accepted.length ? true : undefined;
      },
      90_000,
      'every accepted task to finish',
      500,
    ).catch(() => undefined);
    for (const s of accepted) {
      const { code, body } = await taskStatus(s.taskId!);
      if (code === 404) outcome.lost += 1;
      else if (body.status === 'success') {
        outcome.succeeded += 1;
        const result = body.result as Json;
        if (result.match_id !== s.body.match_id || JSON.stringify(result) !== first.get(s.taskId!)) outcome.inconsistent += 1;
      } else if (body.status === 'failure') outcome.failed += 1;
      else {
        outcome.stuck += 1;
        stuckByStatus[String(body.status)] = (stuckByStatus[String(body.status)] ?? 0) + 1;
      }
    }
    const topology = buildTopology({ prefix, retryDelaysMs: [] });
    const queues: Record<string, unknown> = {};
    for (const q of [topology.queues.work, topology.queues.events, topology.queues.deadLetter, topology.queues.eventsDeadLetter, topology.queues.resultsRpc]) {
      queues[q.slice(prefix.length)] = await queueStats(q, broker.node).catch((e: unknown) => String(e));
    }

    const counts = driver.counts();
    const report = {
      ran_at: new Date().toISOString(),
      rate_per_s: RATE,
      duration_s: Math.round((Date.now() - t0) / 1000),
      submissions: counts.submitted,
      accepted: counts.accepted,
      refused_answers_retried: counts.refusedAnswers,
      refusals_by_status: counts.refusalsByStatus,
      ...outcome,
      stuck_by_status: stuckByStatus,
      queues_at_end: queues,
      duplicated: counts.idempotencyConflicts + outcome.inconsistent,
      faults: injected,
      faults_by_kind: injected.reduce<Record<string, number>>((m, f) => ({ ...m, [f.kind]: (m[f.kind] ?? 0) + 1 }), {}),
      broker_outage: outage,
      graceful_shutdowns: graceful,
    };
    await mkdir('.tmp', { recursive: true });
    await writeFile('.tmp/fault-report.json', `${JSON.stringify(report, null, 2)}\n`);
    t.diagnostic(`fault report: ${JSON.stringify(report)}`);

    assert.equal(counts.accepted, counts.submitted, 'every submission was eventually accepted');
    assert.equal(outcome.lost, 0, 'lost');
    assert.equal(outcome.stuck, 0, 'stuck');
    assert.equal(report.duplicated, 0, 'duplicated');
    assert.equal(outcome.failed, 0, 'no task failed: no fault here is a reason to fail one');
    assert.ok(outage.sync && [503].includes(outage.sync.status) && outage.sync.ms < 1000, `sync during the outage: ${JSON.stringify(outage.sync)}`);
    assert.ok(outage.async && outage.async.status === 503 && outage.async.ms < 1000, `async during the outage: ${JSON.stringify(outage.async)}`);
    assert.ok(outage.readyDuring?.every((s) => s === 503), `readiness during the outage: ${JSON.stringify(outage.readyDuring)}`);
    for (const g of graceful) assert.equal(g.forced, false, `${g.app} needed SIGKILL to stop`);
  });
});
