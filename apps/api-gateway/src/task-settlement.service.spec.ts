import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskState, TaskView } from '@app/contracts';
import type { BrokerOptions, BrokerTopology } from '@app/messaging';
import { encodeEvent } from '@app/messaging';
import { Gauge, Registry } from 'prom-client';
import { GatewayConfig } from './gateway.config.js';
import type { InferenceService } from './inference.service.js';
import { TaskSettlementService } from './task-settlement.service.js';

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

function service(inference: InferenceService, overrides: Partial<GatewayConfig> = {}): TaskSettlementService {
  const config = Object.assign(new GatewayConfig(), { STATUS_WAIT_RECHECK_MS: 50, ...overrides });
  const gauge = new Gauge({ name: 'task_status_waiters', help: 'test', registers: [new Registry()] });
  // The broker is only touched by onApplicationBootstrap, which these tests do not call.
  return new TaskSettlementService({} as BrokerOptions, {} as BrokerTopology, config, inference, gauge);
}

const notice = (...ids: string[]) => encodeEvent('task.settled.v1', { tasks: ids.map((task_id) => ({ task_id, status: 'success' })) });

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
