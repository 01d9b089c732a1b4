import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Prediction } from '@app/contracts';
import { loadConfig } from '@app/platform';
import { TEST_REDIS_URL, deleteRedisKeys, uniquePrefix } from '@app/testing';
import type { Redis } from 'ioredis';
import { createRedisClient } from '../src/redis.provider.js';
import { ResultsConfig } from '../src/results.config.js';
import { TERMINAL_ORDER, stateOrder } from '../src/task-state.service.js';
import { TaskRepository, type CreateOutcome, type TaskWrite, type WriteOutcome } from '../src/task.repository.js';

const TTL = 600;
const AT = '2026-11-27T12:00:00.000Z';
const prediction = (predicted_class: 0 | 1 | 2) => ({ match_id: 7, predicted_class }) as unknown as Prediction;

const started = (attempt: number): TaskWrite => ({ status: 'started', order: stateOrder('started', attempt), attempt, at: AT });
const retry = (attempt: number, error = 'boom'): TaskWrite => ({ status: 'retry', order: stateOrder('retry', attempt), attempt, at: AT, error });
const success = (attempt: number, result = prediction(0)): TaskWrite => ({ status: 'success', order: TERMINAL_ORDER, attempt, at: AT, result });
const failure = (attempt: number, error = 'attempts_exhausted: boom'): TaskWrite => ({ status: 'failure', order: TERMINAL_ORDER, attempt, at: AT, error });

void describe('TaskRepository (real Redis)', () => {
  const prefix = uniquePrefix('results');
  let redis: Redis;
  let probe: Redis;
  let repo: TaskRepository;
  let keySeq = 0;
  const newKey = () => `key-${++keySeq}`;
  const create = (idempotencyKey: string, matchId = 42) => repo.create({ taskId: randomUUID(), idempotencyKey, matchId, at: AT });

  /** A task's stored hash minus what differs between two tasks by construction (their idempotency keys). */
  const storedRecord = async (taskId: string) => {
    const { idem_key: _idemKey, ...record } = await probe.hgetall(`${prefix}task:${taskId}`);
    return record;
  };

  /** Writes, expects it applied with `status`, and the view it reports to be what a status read returns now. */
  const applies = async (taskId: string, write: TaskWrite, status: string, message?: string) => {
    const outcome = await repo.write(taskId, write);
    assert.equal(outcome.outcome, 'applied', message);
    assert.equal(outcome.outcome === 'applied' && outcome.status, status, message);
    assert.deepEqual(outcome.outcome === 'applied' && outcome.view, await repo.find(taskId), message ?? `the view after ${write.status}/${write.attempt}`);
  };

  before(() => {
    const config = loadConfig(ResultsConfig, { REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix, TASK_TTL_SECONDS: String(TTL) });
    redis = createRedisClient(config.REDIS_URL);
    probe = createRedisClient(config.REDIS_URL);
    repo = new TaskRepository(redis, config);
  });

  after(async () => {
    await deleteRedisKeys(prefix);
    redis.disconnect();
    probe.disconnect();
  });

  void it('tracks whether a reservation was queued: by the gateway note or by any event', async () => {
    const noted = await create(newKey());
    assert.equal(noted.queued, false);
    assert.equal(await repo.markQueued(noted.taskId), true);
    const key = newKey();
    const viaEvent = await create(key);
    await repo.write(viaEvent.taskId, { status: 'started', order: 11, attempt: 1, at: AT });
    assert.equal((await create(key)).queued, true);
    assert.equal(await repo.markQueued(randomUUID()), false, 'never creates a task');
  });

  void it('creates a pending task, and returns the same one for the same idempotency key', async () => {
    const key = newKey();
    const first = await create(key, 42);
    assert.equal(first.created, true);
    assert.equal(first.status, 'pending');
    const again = await create(key, 42);
    assert.deepEqual(again, { taskId: first.taskId, created: false, status: 'pending', queued: false });

    const view = await repo.find(first.taskId);
    assert.ok(view);
    assert.equal(view.status, 'pending');
    assert.equal(view.match_id, 42);
    assert.equal(view.attempts, 0);
    assert.equal(view.submitted_at, AT);
    assert.equal(view.updated_at, AT);
    assert.equal(view.result, undefined);
    assert.equal(view.error, undefined);
  });

  void it('creates exactly one task under concurrent submissions of one key', async () => {
    const key = newKey();
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => create(key)));
    assert.equal(new Set(outcomes.map((o) => o.taskId)).size, 1);
    assert.equal(outcomes.filter((o) => o.created).length, 1);
  });

  void it('returns a started or succeeded task for its key, but starts a new one after a failure', async () => {
    const key = newKey();
    const first = await create(key);
    await repo.write(first.taskId, started(1));
    assert.deepEqual(await create(key), { taskId: first.taskId, created: false, status: 'started', queued: true });

    await repo.write(first.taskId, failure(1));
    const second = await create(key);
    assert.equal(second.created, true);
    assert.notEqual(second.taskId, first.taskId);
    assert.equal((await repo.find(first.taskId))?.status, 'failure', 'the failed task stays readable');
    assert.deepEqual(await create(key), { taskId: second.taskId, created: false, status: 'pending', queued: false });

    await repo.write(second.taskId, success(1));
    assert.deepEqual(await create(key), { taskId: second.taskId, created: false, status: 'success', queued: true });
  });

  void it('starts a new task when the key points at a task that no longer exists', async () => {
    const key = newKey();
    const first = await create(key);
    await probe.del(`${prefix}task:${first.taskId}`);
    const second = await create(key);
    assert.equal(second.created, true);
    assert.notEqual(second.taskId, first.taskId);
  });

  void it('answers null for an unknown task id, never pending', async () => {
    assert.equal(await repo.find(randomUUID()), null);
  });

  void it('never moves a task backwards; success is final and the first result wins', async () => {
    const { taskId } = await create(newKey());
    await applies(taskId, started(1), 'started');
    assert.deepEqual(await repo.write(taskId, started(1)), { outcome: 'stale', status: 'started' }, 'duplicate');
    await applies(taskId, retry(1, 'timeout'), 'retry');
    assert.deepEqual(await repo.write(taskId, started(1)), { outcome: 'stale', status: 'retry' }, 'late started');
    assert.equal((await repo.find(taskId))?.error, 'timeout');
    await applies(taskId, started(2), 'started');
    await applies(taskId, success(2, prediction(1)), 'success');

    for (const late of [started(3), retry(2), retry(3), failure(3), success(3, prediction(2))]) {
      assert.deepEqual(await repo.write(taskId, late), { outcome: 'stale', status: 'success' }, `${late.status}/${late.attempt}`);
    }
    const view = await repo.find(taskId);
    assert.equal(view?.status, 'success');
    assert.deepEqual(view?.result, prediction(1), 'the first success result is kept');
    assert.equal(view?.attempts, 2);
    assert.equal(view?.error, undefined, 'a success clears the error of an earlier attempt');
  });

  void it('keeps a failure final against a late success', async () => {
    const { taskId } = await create(newKey());
    await repo.write(taskId, failure(2));
    assert.deepEqual(await repo.write(taskId, success(1)), { outcome: 'stale', status: 'failure' });
    const view = await repo.find(taskId);
    assert.equal(view?.status, 'failure');
    assert.equal(view?.error, 'attempts_exhausted: boom');
    assert.equal(view?.result, undefined);
    assert.equal(view?.attempts, 2);
  });

  void it('never lowers the attempt count', async () => {
    const { taskId } = await create(newKey());
    await repo.write(taskId, retry(3));
    await repo.write(taskId, failure(1));
    assert.equal((await repo.find(taskId))?.attempts, 3);
  });

  void it('ignores writes to a task that does not exist, without recreating it', async () => {
    const taskId = randomUUID();
    assert.deepEqual(await repo.write(taskId, success(1)), { outcome: 'missing' });
    assert.deepEqual(await repo.write(taskId, started(1)), { outcome: 'missing' });
    assert.equal(await probe.exists(`${prefix}task:${taskId}`), 0);
  });

  void it('applies writes to one task in one call exactly as one call per write would, outcome by outcome', async () => {
    const attempt = fc.integer({ min: 1, max: 3 });
    const write = fc.oneof(
      attempt.map((a) => started(a)),
      attempt.map((a) => retry(a, `boom ${a}`)),
      fc.tuple(attempt, fc.constantFrom<0 | 1 | 2>(0, 1, 2)).map(([a, predicted]) => success(a, prediction(predicted))),
      attempt.map((a) => failure(a, `dead ${a}`)),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(write, { maxLength: 4 }), fc.array(write, { minLength: 1, maxLength: 5 }), async (before, writes) => {
        const [together, oneByOne] = [await create(newKey()), await create(newKey())];
        for (const w of before) {
          await repo.write(together.taskId, w);
          await repo.write(oneByOne.taskId, w);
        }
        const outcomes = await repo.writeInOrder(together.taskId, writes);
        const expected: WriteOutcome[] = [];
        for (const w of writes) {
          const outcome = await repo.write(oneByOne.taskId, w);
          // Each applied write reports the view a status read returns right after it.
          if (outcome.outcome === 'applied') assert.deepEqual(outcome.view, await repo.find(oneByOne.taskId));
          expected.push(outcome);
        }
        // The same outcomes and views, but for the task id each view names.
        const sameTask = (o: WriteOutcome) => (o.outcome === 'applied' ? { ...o, view: { ...o.view, task_id: together.taskId } } : o);
        assert.deepEqual(outcomes, expected.map(sameTask));
        assert.deepEqual(await storedRecord(together.taskId), await storedRecord(oneByOne.taskId));
      }),
      { numRuns: 60 },
    );
  });

  void it('applies the writes of several tasks in one call as one call per task would, a missing task among them', async () => {
    const write = fc.oneof(
      fc.integer({ min: 1, max: 3 }).map((a) => started(a)),
      fc.integer({ min: 1, max: 3 }).map((a) => success(a, prediction(1))),
      fc.integer({ min: 1, max: 3 }).map((a) => failure(a, `dead ${a}`)),
    );
    const task = fc.record({ exists: fc.boolean(), before: fc.array(write, { maxLength: 2 }), writes: fc.array(write, { maxLength: 3 }) });
    await fc.assert(
      fc.asyncProperty(fc.array(task, { minLength: 1, maxLength: 4 }), async (tasks) => {
        const twins = [];
        for (const t of tasks) {
          const [together, alone] = t.exists ? [(await create(newKey())).taskId, (await create(newKey())).taskId] : [randomUUID(), randomUUID()];
          for (const w of t.before) {
            await repo.write(together, w);
            await repo.write(alone, w);
          }
          twins.push({ together, alone, writes: t.writes });
        }
        const outcomes = await repo.writeManyInOrder(twins.map(({ together, writes }) => ({ taskId: together, writes })));
        assert.equal(outcomes.length, twins.length);
        for (const [i, { together, alone, writes }] of twins.entries()) {
          const expected = await repo.writeInOrder(alone, writes);
          const sameTask = (o: WriteOutcome) => (o.outcome === 'applied' ? { ...o, view: { ...o.view, task_id: together } } : o);
          assert.deepEqual(outcomes[i], expected.map(sameTask));
          assert.deepEqual(await storedRecord(together), await storedRecord(alone));
        }
      }),
      { numRuns: 40 },
    );
  });

  void it('runs a batch of notes and creates in one call as the same calls one by one, in order', async () => {
    // Per slot: a key (shared between creates of one batch), a prior state of the key's task, a note or not.
    const slot = fc.record({ key: fc.integer({ min: 0, max: 2 }), before: fc.constantFrom('none', 'pending', 'started', 'failure'), note: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(fc.array(slot, { minLength: 1, maxLength: 5 }), fc.array(fc.boolean(), { maxLength: 3 }), async (slots, extraNotes) => {
        // Twin worlds: keys and prior tasks built the same way in each.
        const world = async () => {
          const keys = [newKey(), newKey(), newKey()];
          const prior = new Map<number, string>();
          for (const { key, before } of slots) {
            if (before === 'none' || prior.has(key)) continue;
            const { taskId } = await create(keys[key]!);
            prior.set(key, taskId);
            if (before !== 'pending') await repo.write(taskId, before === 'started' ? started(1) : failure(1));
          }
          const notes = [...slots.filter((s) => s.note && prior.has(s.key)).map((s) => prior.get(s.key)!), ...extraNotes.map(() => randomUUID())];
          return { keys, notes };
        };
        const [batched, oneByOne] = [await world(), await world()];
        const inputs = (keys: string[]) => slots.map(({ key }, i) => ({ taskId: randomUUID(), idempotencyKey: keys[key]!, matchId: 40 + i, at: AT }));
        const together = await repo.createMany(inputs(batched.keys), batched.notes);
        const marked: boolean[] = [];
        for (const id of oneByOne.notes) marked.push(await repo.markQueued(id));
        const alone: CreateOutcome[] = [];
        for (const input of inputs(oneByOne.keys)) alone.push(await repo.create(input));
        assert.deepEqual(together.marked, marked);
        // The same outcomes, task ids aside (fresh ones in each world): created, status, queued, and which
        // creates share a task.
        const shape = (outcomes: readonly (CreateOutcome | Error)[]) => {
          const ids: string[] = [];
          return outcomes.map((o) => {
            assert.ok(!(o instanceof Error));
            if (!ids.includes(o.taskId)) ids.push(o.taskId);
            return { ...o, taskId: ids.indexOf(o.taskId) };
          });
        };
        assert.deepEqual(shape(together.creates), shape(alone));
      }),
      { numRuns: 40 },
    );
  });

  void it('ignores every write of a call to a task that does not exist, without recreating it', async () => {
    const taskId = randomUUID();
    assert.deepEqual(await repo.writeInOrder(taskId, [started(1), success(1)]), [{ outcome: 'missing' }, { outcome: 'missing' }]);
    assert.equal(await probe.exists(`${prefix}task:${taskId}`), 0);
    assert.deepEqual(await repo.writeInOrder(taskId, []), []);
  });

  void it('refreshes the TTLs when a write of the call applies, and only then', async () => {
    const key = newKey();
    const { taskId } = await create(key);
    const keys = [`${prefix}task:${taskId}`, `${prefix}idem:${key}`];
    await repo.write(taskId, success(1));
    for (const k of keys) await probe.expire(k, 10);
    await repo.writeInOrder(taskId, [started(2), success(2)]);
    for (const k of keys) assert.ok((await probe.ttl(k)) <= 10, `${k}: not refreshed by stale writes`);

    const next = newKey();
    const running = await create(next);
    const runningKeys = [`${prefix}task:${running.taskId}`, `${prefix}idem:${next}`];
    await repo.write(running.taskId, started(2));
    for (const k of runningKeys) await probe.expire(k, 10);
    await repo.writeInOrder(running.taskId, [started(1), success(2)]);
    for (const k of runningKeys) assert.ok((await probe.ttl(k)) > TTL - 5, `${k}: refreshed`);
  });

  void it('sets a TTL on both keys, and every write refreshes it', async () => {
    const key = newKey();
    const { taskId } = await create(key);
    const taskKey = `${prefix}task:${taskId}`;
    const idemKey = `${prefix}idem:${key}`;
    for (const k of [taskKey, idemKey]) {
      const ttl = await probe.ttl(k);
      assert.ok(ttl > TTL - 5 && ttl <= TTL, `${k} ttl ${ttl}`);
    }
    await probe.expire(taskKey, 10);
    await probe.expire(idemKey, 10);
    await repo.write(taskId, started(1));
    for (const k of [taskKey, idemKey]) assert.ok((await probe.ttl(k)) > TTL - 5, `${k} refreshed`);
  });

  void it('abandons a pending task with its key, and nothing else', async () => {
    const key = newKey();
    const { taskId } = await create(key);
    assert.equal(await repo.abandon(taskId, key), true);
    assert.equal(await repo.find(taskId), null);
    assert.equal(await probe.exists(`${prefix}idem:${key}`), 0);
    assert.equal(await repo.abandon(taskId, key), false, 'a second abandon finds nothing');

    const startedKey = newKey();
    const running = await create(startedKey);
    await repo.write(running.taskId, started(1));
    assert.equal(await repo.abandon(running.taskId, startedKey), false);
    assert.equal((await repo.find(running.taskId))?.status, 'started');
    assert.equal(await probe.exists(`${prefix}idem:${startedKey}`), 1);
  });

  void it('leaves an idempotency key that points at another task when abandoning', async () => {
    const keyA = newKey();
    const keyB = newKey();
    const a = await create(keyA);
    const b = await create(keyB);
    assert.equal(await repo.abandon(a.taskId, keyB), true);
    assert.equal(await repo.find(a.taskId), null);
    assert.equal(await probe.get(`${prefix}idem:${keyB}`), b.taskId);
  });

  void it('survives a flushed script cache (as after a Redis restart)', async () => {
    await probe.script('FLUSH');
    const key = newKey();
    const { taskId, created } = await create(key);
    assert.equal(created, true);
    assert.equal((await repo.write(taskId, started(1))).outcome, 'applied');
    assert.equal(await repo.abandon(randomUUID(), key), false);
    await probe.script('FLUSH');
    assert.deepEqual(await repo.reopen(randomUUID(), AT), { reopened: false, previousStatus: null });
  });

  void it('reopens only a failed task for a replay; any other status is left alone, a missing task is not created', async () => {
    const pending = await create(newKey());
    assert.deepEqual(await repo.reopen(pending.taskId, AT), { reopened: false, previousStatus: 'pending' });
    const running = await create(newKey());
    await repo.write(running.taskId, started(2));
    assert.deepEqual(await repo.reopen(running.taskId, AT), { reopened: false, previousStatus: 'started' });
    await repo.write(running.taskId, retry(2));
    assert.deepEqual(await repo.reopen(running.taskId, AT), { reopened: false, previousStatus: 'retry' });
    const done = await create(newKey());
    await repo.write(done.taskId, success(1, prediction(2)));
    assert.deepEqual(await repo.reopen(done.taskId, AT), { reopened: false, previousStatus: 'success' });
    assert.deepEqual((await repo.find(done.taskId))?.result, prediction(2), 'a success is final, even for an admin');

    const ghost = randomUUID();
    assert.deepEqual(await repo.reopen(ghost, AT), { reopened: false, previousStatus: null });
    assert.equal(await probe.exists(`${prefix}task:${ghost}`), 0, 'never recreates a task');
  });

  void it('reopens a failure as pending (attempts 0, error cleared, queued) and keeps its TTL', async () => {
    const key = newKey();
    const { taskId } = await create(key, 9);
    await repo.write(taskId, started(3));
    await repo.write(taskId, failure(3, 'attempts_exhausted: model exploded'));
    const taskKey = `${prefix}task:${taskId}`;
    await probe.expire(taskKey, 100);
    const later = '2026-11-28T08:00:00.000Z';

    assert.deepEqual(await repo.reopen(taskId, later), { reopened: true, previousStatus: 'failure', previousError: 'attempts_exhausted: model exploded' });
    const view = await repo.find(taskId);
    assert.equal(view?.status, 'pending');
    assert.equal(view?.attempts, 0);
    assert.equal(view?.error, undefined);
    assert.equal(view?.match_id, 9);
    assert.equal(view?.submitted_at, AT, 'still the same task');
    assert.equal(view?.updated_at, later);
    const ttl = await probe.ttl(taskKey);
    assert.ok(ttl > 0 && ttl <= 100, `TTL kept, got ${ttl}`);
    assert.deepEqual(await create(key), { taskId, created: false, status: 'pending', queued: true }, 'live again for its key, and queued');
    assert.deepEqual(await repo.reopen(taskId, later), { reopened: false, previousStatus: 'pending' }, 'a second reopen changes nothing');
  });

  void it('applies the replayed run after a reopen; late events of the old run stay stale; success is final again', async () => {
    const { taskId } = await create(newKey());
    await repo.write(taskId, started(2));
    await repo.write(taskId, failure(2));
    assert.equal((await repo.reopen(taskId, AT)).reopened, true);

    await applies(taskId, started(1), 'started', 'the replay starts at attempt 1');
    await applies(taskId, retry(1, 'still flaky'), 'retry');
    await applies(taskId, started(2), 'started');
    assert.deepEqual(await repo.write(taskId, started(1)), { outcome: 'stale', status: 'started' }, 'a late event with a lower order');
    assert.deepEqual(await repo.write(taskId, retry(1, 'old')), { outcome: 'stale', status: 'started' }, 'a late retry with a lower order');
    await applies(taskId, success(2, prediction(1)), 'success');

    for (const late of [started(3), retry(3), failure(2), success(3, prediction(0))]) {
      assert.deepEqual(await repo.write(taskId, late), { outcome: 'stale', status: 'success' }, `${late.status}/${late.attempt}`);
    }
    assert.deepEqual(await repo.reopen(taskId, AT), { reopened: false, previousStatus: 'success' }, 'no replay after a success');
    const view = await repo.find(taskId);
    assert.equal(view?.status, 'success');
    assert.deepEqual(view?.result, prediction(1));
    assert.equal(view?.attempts, 2);
    assert.equal(view?.error, undefined);
  });

  void it('can fail again after a replay, and be replayed again', async () => {
    const { taskId } = await create(newKey());
    await repo.write(taskId, failure(3));
    await repo.reopen(taskId, AT);
    await repo.write(taskId, started(1));
    await applies(taskId, failure(1, 'permanent_error: unknown match'), 'failure');
    assert.equal((await repo.find(taskId))?.error, 'permanent_error: unknown match');
    assert.deepEqual(await repo.reopen(taskId, AT), { reopened: true, previousStatus: 'failure', previousError: 'permanent_error: unknown match' });
  });

  void it('reports Redis as reachable', async () => {
    assert.equal(await repo.isReachable(), true);
  });

  void it('fails fast when Redis is unreachable', async () => {
    const config = loadConfig(ResultsConfig, { REDIS_URL: 'redis://127.0.0.1:1', REDIS_KEY_PREFIX: prefix });
    const down = createRedisClient(config.REDIS_URL);
    down.on('error', () => undefined);
    const unreachable = new TaskRepository(down, config);
    try {
      const startedAt = Date.now();
      await assert.rejects(unreachable.create({ taskId: randomUUID(), idempotencyKey: newKey(), matchId: 1, at: AT }));
      assert.ok(Date.now() - startedAt < 5000, `took ${Date.now() - startedAt} ms`);
      assert.equal(await unreachable.isReachable(), false);
    } finally {
      down.disconnect();
    }
  });
});
