import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MessageValidationError, TASK_STATES, type Prediction, type TaskState, type TaskView } from '@app/contracts';
import { Counter } from 'prom-client';
import type { TaskSettledPublisher } from './task-settled.publisher.js';
import type { TaskRepository, TaskWrite, WriteOutcome } from './task.repository.js';
import {
  MAX_ATTEMPT,
  TERMINAL_ORDER,
  TaskStateService,
  failureWrite,
  readDeadLetter,
  retryWrite,
  startedWrite,
  stateOrder,
  successWrite,
  supersedes,
} from './task-state.service.js';

const TASK = '6f1c3a52-3c1e-4b7a-9a55-0d6f2f3b9c11';
const AT = '2026-11-27T12:00:00.000Z';
const RESULT = { match_id: 7, predicted_class: 0 } as unknown as Prediction;

/** Applies writes in the given order the way the Lua compare-and-set does; returns the final state. */
function replay(writes: { status: TaskState; order: number }[]): TaskState {
  let current = { status: 'pending' as TaskState, order: stateOrder('pending', 0) };
  for (const w of writes) if (supersedes(w.order, current.order)) current = w;
  return current.status;
}

void describe('stateOrder', () => {
  void it('ranks pending < started < retry within an attempt, and a later attempt above all of them', () => {
    assert.equal(stateOrder('pending', 0), 0);
    assert.equal(stateOrder('started', 1), 11);
    assert.equal(stateOrder('retry', 1), 12);
    assert.equal(stateOrder('started', 2), 21);
    assert.ok(stateOrder('retry', 1) < stateOrder('started', 2));
  });

  void it('puts both terminal states above every attempt, at the same order', () => {
    assert.equal(stateOrder('success', 1), TERMINAL_ORDER);
    assert.equal(stateOrder('failure', 7), TERMINAL_ORDER);
    assert.ok(stateOrder('retry', MAX_ATTEMPT) < TERMINAL_ORDER);
  });

  void it('refuses attempts whose order would reach the terminal order', () => {
    assert.throws(() => stateOrder('started', MAX_ATTEMPT + 1), RangeError);
    assert.throws(() => stateOrder('started', 1.5), RangeError);
    assert.throws(() => stateOrder('started', -1), RangeError);
  });

  void it('covers every task state', () => {
    for (const s of TASK_STATES) assert.equal(typeof stateOrder(s, 1), 'number');
  });
});

void describe('supersedes (the compare-and-set rule)', () => {
  const started = (attempt: number) => startedWrite({ task_id: TASK, attempt, at: AT }, AT);
  const retry = (attempt: number) => retryWrite({ task_id: TASK, attempt, at: AT, error: 'boom', retry_in_ms: 10 }, AT);
  const success = (attempt: number) => successWrite({ task_id: TASK, attempt, at: AT, result: RESULT }, AT);
  const failure = (attempt: number) => failureWrite({ taskId: TASK, reason: 'attempts_exhausted', error: 'boom', attempt }, AT);

  void it('follows the normal lifecycle', () => {
    assert.equal(replay([started(1), retry(1), started(2), success(2)]), 'success');
    assert.equal(replay([started(1), retry(1), started(2), retry(2), failure(2)]), 'failure');
  });

  void it('never moves backwards on late or duplicate events', () => {
    assert.equal(replay([retry(1), started(1)]), 'retry');
    assert.equal(replay([started(2), retry(1)]), 'started');
    assert.equal(replay([success(1), started(2), retry(2)]), 'success');
    assert.equal(replay([failure(3), started(1), retry(2)]), 'failure');
  });

  void it('lets the first terminal write win', () => {
    assert.equal(replay([success(1), failure(1)]), 'success');
    assert.equal(replay([failure(1), success(1)]), 'failure');
    assert.equal(supersedes(success(2).order, success(1).order), false, 'a duplicate success is not a write');
  });

  void it('ignores an exact duplicate of a non-terminal event', () => {
    assert.equal(supersedes(started(1).order, started(1).order), false);
  });
});

void describe('event writes', () => {
  void it('carry status, attempt and the event payload', () => {
    assert.deepEqual(retryWrite({ task_id: TASK, attempt: 2, at: AT, error: 'timeout', retry_in_ms: 5 }, AT), {
      status: 'retry', order: 22, attempt: 2, at: AT, error: 'timeout',
    });
    assert.deepEqual(successWrite({ task_id: TASK, attempt: 1, at: AT, result: RESULT }, AT), {
      status: 'success', order: TERMINAL_ORDER, attempt: 1, at: AT, result: RESULT,
    });
  });

  void it('reject an attempt beyond MAX_ATTEMPT as an invalid message (dead-lettered, not requeued)', () => {
    assert.throws(() => startedWrite({ task_id: TASK, attempt: MAX_ATTEMPT + 1, at: AT }, AT), MessageValidationError);
  });
});

void describe('readDeadLetter', () => {
  void it('prefers our reason header over the broker one, and reads error and attempt', () => {
    const dead = readDeadLetter(
      { task_id: TASK, match_id: 1 },
      { 'mp-death-reason': 'attempts_exhausted', 'x-first-death-reason': 'rejected', 'mp-death-error': 'boom', 'mp-attempt': 3 },
    );
    assert.deepEqual(dead, { taskId: TASK, reason: 'attempts_exhausted', error: 'boom', attempt: 3 });
    assert.equal(failureWrite(dead, AT).error, 'attempts_exhausted: boom');
    assert.equal(failureWrite(dead, AT).order, TERMINAL_ORDER);
  });

  void it('falls back to the broker reason, and to "unknown"', () => {
    assert.equal(readDeadLetter({ task_id: TASK }, { 'x-first-death-reason': 'delivery_limit' })?.reason, 'delivery_limit');
    assert.equal(readDeadLetter({ task_id: TASK }, { 'x-first-death-reason': Buffer.from('expired') })?.reason, 'expired');
    const bare = readDeadLetter({ task_id: TASK }, undefined);
    assert.deepEqual(bare, { taskId: TASK, reason: 'unknown', error: undefined, attempt: 1 });
    assert.equal(failureWrite(bare, AT).error, 'unknown: no error detail');
  });

  void it("takes the broker's newest x-death entry, not the first death (a retry queue's expiry)", () => {
    const headers = {
      'x-death': [
        { reason: 'delivery_limit', queue: 'ml', count: 1, time: { '!': 'timestamp', value: 1_795_000_000 } },
        { reason: 'expired', queue: 'ml.retry.2000ms', count: 1 },
      ],
      'x-first-death-reason': 'expired',
      'mp-death-error': 'attempt 1 failed',
      'mp-attempt': 2,
    };
    const dead = readDeadLetter({ task_id: TASK }, headers);
    assert.equal(dead?.reason, 'delivery_limit');
    assert.equal(failureWrite(dead, AT).error, 'delivery_limit: attempt 1 failed');
  });

  void it('needs nothing but a task id from a poison payload', () => {
    assert.equal(readDeadLetter({ task_id: TASK, features: 'garbage', match_id: 'x' }, {})?.taskId, TASK);
  });

  void it('returns null when there is no task to mark', () => {
    for (const payload of [null, 'text', 42, [], {}, { match_id: 1 }, { task_id: 'not-a-uuid' }, { task_id: 7 }]) {
      assert.equal(readDeadLetter(payload, { 'mp-death-reason': 'invalid_message' }), null, JSON.stringify(payload));
    }
  });

  void it('bounds the stored error and the attempt', () => {
    const dead = readDeadLetter({ task_id: TASK }, { 'mp-death-reason': 'permanent_error', 'mp-death-error': 'e'.repeat(10_000), 'mp-attempt': 1e12 });
    assert.ok(failureWrite(dead!, AT).error!.length <= 2000);
    assert.equal(dead!.attempt, MAX_ATTEMPT);
  });
});

void describe('TaskStateService.recordBatch', () => {
  const [A, B, C, D] = ['a', 'b', 'c', 'd'].map((c) => `${c.repeat(8)}-0000-4000-8000-000000000000`) as [string, string, string, string];
  const start = (task_id: string, attempt = 1) => ({ task_id, attempt, at: AT });
  const succeed = (task_id: string, attempt = 1) => ({ task_id, attempt, at: AT, result: RESULT });

  /** A repository that records each call and answers with `outcomeOf` per write. */
  const applied = (taskId: string, write: TaskWrite): WriteOutcome => ({
    outcome: 'applied',
    status: write.status,
    view: { task_id: taskId, status: write.status, match_id: 1, attempts: write.attempt, submitted_at: AT, updated_at: write.at },
  });

  function recording(outcomeOf: (taskId: string, write: TaskWrite) => WriteOutcome = applied) {
    const calls: { taskId: string; statuses: string[] }[] = [];
    let scriptCalls = 0;
    const repository = {
      writeManyInOrder: (tasks: readonly { taskId: string; writes: readonly TaskWrite[] }[]) => {
        scriptCalls += 1;
        for (const { taskId, writes } of tasks) calls.push({ taskId, statuses: writes.map((w) => `${w.status}/${w.attempt}`) });
        return Promise.resolve(tasks.map(({ taskId, writes }) => writes.map((w) => outcomeOf(taskId, w))));
      },
    } as unknown as TaskRepository;
    const transitions = new Counter({ name: 'test_transitions', help: 'test', labelNames: ['to'], registers: [] });
    const noted: string[] = [];
    const settled = { note: (view: TaskView) => void noted.push(`${view.task_id.slice(0, 1)}:${view.status}`) } as unknown as TaskSettledPublisher;
    return { calls, scriptCalls: () => scriptCalls, transitions, noted, service: new TaskStateService(repository, transitions, settled) };
  }

  const counted = async (transitions: Counter<string>) =>
    Object.fromEntries((await transitions.get()).values.map((v) => [String(v.labels.to), v.value]));

  void it("sends the batch in one call, each task's starts before its successes, including tasks in one list only", async () => {
    const { calls, scriptCalls, service } = recording();
    await service.recordBatch({ started: [start(A), start(B), start(C, 2)], succeeded: [succeed(A), succeed(D)] });
    assert.deepEqual(calls, [
      { taskId: A, statuses: ['started/1', 'success/1'] },
      { taskId: B, statuses: ['started/1'] },
      { taskId: C, statuses: ['started/2'] },
      { taskId: D, statuses: ['success/1'] },
    ]);
    assert.equal(scriptCalls(), 1);
  });

  void it('counts every write by its outcome: the new status when applied, else ignored', async () => {
    const { transitions, service } = recording((taskId, write) =>
      taskId === A ? applied(taskId, write) : taskId === B ? { outcome: 'stale', status: 'success' } : { outcome: 'missing' },
    );
    await service.recordBatch({ started: [start(A), start(B), start(C)], succeeded: [succeed(A), succeed(B)] });
    assert.deepEqual(await counted(transitions), { started: 1, success: 1, ignored: 3 });
  });

  void it('announces every write that applied, with the view it left, and none that did not', async () => {
    const { noted, service } = recording((taskId, write) => (taskId === B ? { outcome: 'stale', status: 'success' } : applied(taskId, write)));
    await service.recordBatch({ started: [start(A), start(C)], succeeded: [succeed(A), succeed(B)] });
    assert.deepEqual(noted, ['a:started', 'a:success', 'c:started']);
  });

  void it('checks every write before sending any: an attempt out of range refuses the whole batch', async () => {
    const { calls, transitions, service } = recording();
    await assert.rejects(service.recordBatch({ started: [start(A), start(B, MAX_ATTEMPT + 1)], succeeded: [succeed(A)] }), MessageValidationError);
    assert.deepEqual(calls, []);
    assert.deepEqual(await counted(transitions), {});
  });

  void it('sends nothing for an empty batch', async () => {
    const { calls, service } = recording();
    await service.recordBatch({ started: [], succeeded: [] });
    assert.deepEqual(calls, []);
  });
});
