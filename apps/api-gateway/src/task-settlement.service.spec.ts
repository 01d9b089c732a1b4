import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskState, TaskView } from '@app/contracts';
import type { BrokerOptions, BrokerTopology } from '@app/messaging';
import { encodeEvent } from '@app/messaging';
import { Counter, Gauge, Registry } from 'prom-client';
import { GatewayConfig } from './gateway.config.js';
import type { InferenceService } from './inference.service.js';
import { asTaskView, TaskSettlementService } from './task-settlement.service.js';
import { TaskViewCache } from './task-view-cache.js';

const TASK = '6f1c1a34-4b63-4f7e-9a38-1f1f1f1f1f1f';

/** The status RPC as a scripted sequence of states (the last one repeats); counts the reads. */
function statuses(...states: (TaskState | null)[]): { inference: InferenceService; reads: () => number } {
  let reads = 0;
  const status = (taskId: string): Promise<TaskView | null> => {
    const state = states[Math.min(reads++, states.length - 1)] ?? null;
    const at = new Date().toISOString();
    return Promise.resolve(state === null ? null : { task_id: taskId, status: state, match_id: 1, attempts: 0, submitted_at: at, updated_at: at });
  };
  return { inference: { status } as unknown as InferenceService, reads: () => reads };
}

function service(inference: InferenceService, overrides: Partial<GatewayConfig> = {}, views = new TaskViewCache({ maxTasks: 100, freshMs: 1000, keepMs: 60_000 })): TaskSettlementService {
  const config = Object.assign(new GatewayConfig(), { STATUS_WAIT_RECHECK_MS: 50, ...overrides });
  const registry = new Registry();
  const gauge = new Gauge({ name: 'task_status_waiters', help: 'test', registers: [registry] });
  const reads = new Counter({ name: 'task_status_reads_total', help: 'test', labelNames: ['source'], registers: [registry] });
  // The broker is only touched by onApplicationBootstrap, which these tests do not call.
  return new TaskSettlementService({} as BrokerOptions, {} as BrokerTopology, config, inference, views, gauge, reads);
}

const notice = (...ids: string[]) => encodeEvent('task.settled.v1', { tasks: ids.map((task_id) => ({ task_id, status: 'success' })) });

const view = (status: TaskState, extra: Partial<TaskView> = {}): TaskView => ({
  task_id: TASK,
  status,
  match_id: 1,
  attempts: status === 'pending' ? 0 : 1,
  submitted_at: '2026-11-28T12:00:00.000Z',
  updated_at: '2026-11-28T12:00:01.000Z',
  ...(status === 'success' ? { result: { predicted_class: 0 } as unknown as TaskView['result'] } : {}),
  ...extra,
});

/** A notice carrying these records (or, for a task id alone, no record: a replay). */
const noticeOf = (...entries: (TaskView | string)[]) =>
  encodeEvent('task.settled.v1', { tasks: entries.map((e) => (typeof e === 'string' ? { task_id: e, status: 'pending' } : { task_id: e.task_id, status: e.status, record: e })) });

describe('TaskSettlementService.statusWithin', () => {
  it('reads once and answers at once without a wait, or for a settled or unknown task', async () => {
    for (const state of ['pending', 'success', 'failure', null] as const) {
      const { inference, reads } = statuses(state);
      const started = performance.now();
      const task = await service(inference).statusWithin(TASK, state === 'pending' ? 0 : 5000);
      assert.equal(task?.status ?? null, state);
      assert.equal(reads(), 1);
      assert.ok(performance.now() - started < 40, `${state} answered at once`);
    }
  });

  it('rechecks every STATUS_WAIT_RECHECK_MS without notices, and stops at the first terminal read', async () => {
    const { inference, reads } = statuses('pending', 'started', 'success');
    const started = performance.now();
    const task = await service(inference).statusWithin(TASK, 5000);
    assert.equal(task?.status, 'success');
    assert.equal(reads(), 3);
    const ms = performance.now() - started;
    assert.ok(ms >= 90 && ms < 1000, `two rechecks of 50 ms (${ms.toFixed(0)} ms)`);
  });

  it('re-reads at once when a settled notice names the task', async () => {
    const { inference, reads } = statuses('pending', 'success');
    const settlements = service(inference, { STATUS_WAIT_RECHECK_MS: 10_000 });
    const started = performance.now();
    const waiting = settlements.statusWithin(TASK, 5000);
    await new Promise((r) => setTimeout(r, 20));
    settlements.receive(notice('00000000-0000-4000-8000-000000000000'));
    settlements.receive(Buffer.from('not json'));
    settlements.receive(notice(TASK));
    assert.equal((await waiting)?.status, 'success');
    assert.equal(reads(), 2);
    assert.ok(performance.now() - started < 1000);
  });

  it('answers with the state as it stands when the wait runs out', async () => {
    const { inference } = statuses('pending');
    const started = performance.now();
    const task = await service(inference, { STATUS_WAIT_RECHECK_MS: 10_000 }).statusWithin(TASK, 120);
    assert.equal(task?.status, 'pending');
    const ms = performance.now() - started;
    assert.ok(ms >= 110 && ms < 1000, `held for the wait (${ms.toFixed(0)} ms)`);
  });

  it('does not hold past STATUS_WAITERS_MAX, nor after the client is gone', async () => {
    const full = statuses('pending');
    assert.equal((await service(full.inference, { STATUS_WAITERS_MAX: 0 }).statusWithin(TASK, 5000))?.status, 'pending');
    assert.equal(full.reads(), 1);

    const gone = statuses('pending');
    const client = new AbortController();
    const waiting = service(gone.inference, { STATUS_WAIT_RECHECK_MS: 10_000 }).statusWithin(TASK, 5000, client.signal);
    setTimeout(() => client.abort(), 20);
    const started = performance.now();
    assert.equal((await waiting)?.status, 'pending');
    assert.ok(performance.now() - started < 1000);
  });
});

describe('TaskSettlementService with notices carrying records', () => {
  it('answers a held long-poll with the record of the notice that names its task, without a second read', async () => {
    const { inference, reads } = statuses('pending');
    const settlements = service(inference, { STATUS_WAIT_RECHECK_MS: 10_000 });
    const waiting = settlements.statusWithin(TASK, 5000);
    await new Promise((r) => setTimeout(r, 20));
    settlements.receive(noticeOf(view('success')));
    assert.deepEqual(await waiting, view('success'));
    assert.equal(reads(), 1, 'only the first read went to results');
  });

  it('reads the task again when a notice carries no record, or one that is not a view of the task', async () => {
    for (const record of [undefined, { ...view('success'), task_id: '00000000-0000-4000-8000-000000000000' }, { ...view('success'), match_id: 'x' }]) {
      const { inference, reads } = statuses('pending', 'failure');
      const settlements = service(inference, { STATUS_WAIT_RECHECK_MS: 10_000 });
      const waiting = settlements.statusWithin(TASK, 5000);
      await new Promise((r) => setTimeout(r, 20));
      settlements.receive(encodeEvent('task.settled.v1', { tasks: [{ task_id: TASK, status: 'success', ...(record ? { record } : {}) }] }));
      assert.equal((await waiting)?.status, 'failure', JSON.stringify(record));
      assert.equal(reads(), 2);
    }
  });
});

describe('TaskSettlementService view cache (a task this gateway accepted)', () => {
  const setup = (freshMs = 1000) => {
    const states = statuses('started');
    const views = new TaskViewCache({ maxTasks: 100, freshMs, keepMs: 60_000 });
    const settlements = service(states.inference, { STATUS_WAIT_RECHECK_MS: 10_000 }, views);
    return { ...states, views, settlements };
  };

  it('answers from the cache while notices flow: pending, then the record each notice brings', async () => {
    const { reads, views, settlements } = setup();
    settlements.noticesResumed();
    views.track(view('pending'));
    assert.deepEqual(await settlements.statusWithin(TASK, 0), view('pending'));
    settlements.receive(noticeOf(view('retry', { attempts: 1, error: 'boom' })));
    assert.deepEqual(await settlements.statusWithin(TASK, 0), view('retry', { attempts: 1, error: 'boom' }));
    settlements.receive(noticeOf(view('success', { attempts: 2 })));
    assert.deepEqual(await settlements.statusWithin(TASK, 5000), view('success', { attempts: 2 }));
    assert.equal(reads(), 0, 'no read went to results');
  });

  it('asks results while notices do not flow, and after they resume until the task is seen again', async () => {
    const { reads, views, settlements } = setup();
    views.track(view('pending'));
    assert.equal((await settlements.statusWithin(TASK, 0))?.status, 'started', 'never subscribed: results answers');
    settlements.noticesResumed();
    assert.equal(views.size, 0, 'resuming empties the cache: notices may have been missed');
    views.track(view('pending'));
    settlements.noticesStopped();
    assert.equal((await settlements.statusWithin(TASK, 0))?.status, 'started');
    assert.equal(reads(), 2);
  });

  it('reads a view that is not final from results once it is older than freshMs, and refreshes it', async () => {
    const { reads, views, settlements } = setup(30);
    settlements.noticesResumed();
    views.track(view('pending'));
    assert.equal((await settlements.statusWithin(TASK, 0))?.status, 'pending');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal((await settlements.statusWithin(TASK, 0))?.status, 'started', 'stale: read from results');
    assert.equal((await settlements.statusWithin(TASK, 0))?.status, 'started', 'refreshed by that read');
    assert.equal(reads(), 1);
  });

  it('drops a task a replay reopened: the notice carries no record, and the next read asks results', async () => {
    const { reads, views, settlements } = setup();
    settlements.noticesResumed();
    views.track(view('pending'));
    settlements.receive(noticeOf(view('failure', { error: 'dead' })));
    assert.equal((await settlements.statusWithin(TASK, 0))?.status, 'failure');
    settlements.receive(noticeOf(TASK));
    assert.equal((await settlements.statusWithin(TASK, 0))?.status, 'started');
    assert.equal(reads(), 1);
  });
});

describe('asTaskView', () => {
  it('accepts a view of the named task and refuses anything else', () => {
    assert.deepEqual(asTaskView(view('success'), TASK), view('success'));
    assert.deepEqual(asTaskView(view('retry', { error: 'e' }), TASK), view('retry', { error: 'e' }));
    for (const bad of [null, 'x', { ...view('success'), task_id: 'other' }, { ...view('success'), status: 'done' }, { ...view('pending'), attempts: '0' }, { ...view('failure'), error: 3 }, { ...view('success'), result: undefined }]) {
      assert.equal(asTaskView(bad, TASK), undefined, JSON.stringify(bad));
    }
  });
});
