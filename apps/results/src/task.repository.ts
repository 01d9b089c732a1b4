import { Inject, Injectable } from '@nestjs/common';
import { TASK_STATES, type Prediction, type TaskState, type TaskView } from '@app/contracts';
import type { Redis } from 'ioredis';
import { REDIS_CLIENT } from './redis.provider.js';
import { ResultsConfig } from './results.config.js';

/** A state change to write; `order` decides whether it may (see `stateOrder` in the service). */
export interface TaskWrite {
  status: Exclude<TaskState, 'pending'>;
  order: number;
  attempt: number;
  at: string;
  result?: Prediction;
  error?: string;
}

export type WriteOutcome =
  /** `view`: the task as it stands right after this write (what a status read would answer then). */
  | { outcome: 'applied'; status: TaskState; view: TaskView }
  /** Not newer than what is stored (stale, duplicate, or after a terminal state): nothing written. */
  | { outcome: 'stale'; status: TaskState }
  /** No such task (never created, abandoned or expired): nothing written, never recreated. */
  | { outcome: 'missing' };

/** What `reopen` found: the status before the call (null: no such task) and whether it was reopened. */
export interface ReopenOutcome {
  reopened: boolean;
  previousStatus: TaskState | null;
  /** The failure's error, when it was reopened (for the admin log). */
  previousError?: string;
}

export interface CreateInput {
  taskId: string;
  idempotencyKey: string;
  matchId: number;
  at: string;
}

export interface CreateOutcome {
  taskId: string;
  created: boolean;
  status: TaskState;
  queued: boolean;
}

/*
 * Task record: hash `<prefix>task:<id>` with status, order, match_id, attempts, submitted_at, updated_at,
 * result (JSON), error, idem_key (the full name of the idempotency key that points at it).
 * Idempotency key: string `<prefix>idem:<key>` holding a task id.
 * Every script is atomic; the order rule ("write only when strictly newer") lives in Redis, so concurrent
 * consumers, redeliveries and replicas can never move a task backwards.
 *
 * Scripts build the existing task's key from an id stored in Redis (create) or the idempotency key's name
 * stored in the hash (write): fine on a single primary (standalone or Sentinel), not on Redis Cluster.
 */

/**
 * KEYS: the task keys of n queued notes, then per create its idempotency key and its new task key. ARGV: n, task
 * key prefix, ttl, then per create: new id, match_id, now.
 * → per note '1' (marked queued) or '0' (no such task, never created); then per create, in order,
 * {id, created 0|1, status, queued 0|1}, or {'', 'collision', '', ''} when the new id is taken.
 * The notes are applied first, then each create as if it came alone: one for a key whose live (not failed) task
 * exists returns that task; two creates with one key in a call, the second finds the first's task.
 * A task is `queued` once the gateway confirmed its publish or any event about it arrived.
 */
const CREATE_LUA = `
local replies = {}
local notes = tonumber(ARGV[1])
for k = 1, notes do
  if redis.call('EXISTS', KEYS[k]) == 1 then
    redis.call('HSET', KEYS[k], 'queued', '1')
    replies[#replies + 1] = '1'
  else
    replies[#replies + 1] = '0'
  end
end
local a = 4
for k = notes + 1, #KEYS, 2 do
  local idem, task, id, match_id, now = KEYS[k], KEYS[k + 1], ARGV[a], ARGV[a + 1], ARGV[a + 2]
  a = a + 3
  local existing = redis.call('GET', idem)
  local found = existing and redis.call('HMGET', ARGV[2] .. existing, 'status', 'queued')
  if found and found[1] and found[1] ~= 'failure' then
    replies[#replies + 1] = existing
    replies[#replies + 1] = '0'
    replies[#replies + 1] = found[1]
    replies[#replies + 1] = found[2] or '1'
  elseif redis.call('EXISTS', task) == 1 then
    replies[#replies + 1] = ''
    replies[#replies + 1] = 'collision'
    replies[#replies + 1] = ''
    replies[#replies + 1] = ''
  else
    redis.call('HSET', task, 'status', 'pending', 'order', '0', 'match_id', match_id, 'attempts', '0',
      'submitted_at', now, 'updated_at', now, 'idem_key', idem, 'queued', '0')
    redis.call('EXPIRE', task, ARGV[3])
    redis.call('SET', idem, id, 'EX', ARGV[3])
    replies[#replies + 1] = id
    replies[#replies + 1] = '1'
    replies[#replies + 1] = 'pending'
    replies[#replies + 1] = '0'
  end
end
return replies
`;

/** Values per create in CREATE_LUA's reply: id, created, status, queued. */
const CREATE_REPLY_VALUES = 4;

/** ARGV values per write in WRITE_LUA: status, order, attempt, now, result JSON or '', error or ''. */
const WRITE_ARGS = 6;

/** Values per write in WRITE_LUA's reply: outcome, status, attempts, error. */
const WRITE_REPLY_VALUES = 4;

/**
 * KEYS: one task key per task. ARGV: ttl, then per task (in KEYS order): its id, its number of writes n, then
 * WRITE_ARGS values per write, in the order to apply them.
 * → per task, in KEYS order: per write, in order, 'applied' | 'stale' | 'missing', then the status, attempts and
 * error ('' for none) the task has after it ('', '', '' when missing); then match_id and submitted_at (or '',
 * ''), so that the caller can tell the task's whole view after each write.
 * Each write is the same compare-and-set as if it came alone: it applies only when its order is strictly
 * greater than the stored one (including an earlier write of the same call). A missing task is never
 * recreated; a task's TTLs are refreshed only when one of its writes applied, as one call per write would.
 * Tasks are independent: one script call for a predictor batch's tasks costs what one call per task did,
 * minus a round trip and a script invocation each.
 */
const WRITE_LUA = `
local replies = {}
local a = 2
for k = 1, #KEYS do
  local key, task_id, n = KEYS[k], ARGV[a], tonumber(ARGV[a + 1])
  local first, last = a + 2, a + 1 + n * ${WRITE_ARGS}
  a = last + 1
  local current = redis.call('HMGET', key, 'status', 'order', 'attempts', 'idem_key', 'match_id', 'submitted_at', 'error')
  if not current[1] then
    for i = first, last, ${WRITE_ARGS} do
      replies[#replies + 1] = 'missing'
      replies[#replies + 1] = ''
      replies[#replies + 1] = ''
      replies[#replies + 1] = ''
    end
  else
    local status, order, attempts, err = current[1], tonumber(current[2]) or 0, tonumber(current[3]) or 0, current[7] or ''
    local applied = false
    for i = first, last, ${WRITE_ARGS} do
      local next_order = tonumber(ARGV[i + 1])
      if next_order <= order then
        replies[#replies + 1] = 'stale'
        replies[#replies + 1] = status
        replies[#replies + 1] = tostring(attempts)
        replies[#replies + 1] = err
      else
        status, order, attempts = ARGV[i], next_order, math.max(attempts, tonumber(ARGV[i + 2]))
        redis.call('HSET', key, 'status', status, 'order', ARGV[i + 1], 'attempts', tostring(attempts), 'updated_at', ARGV[i + 3], 'queued', '1')
        if ARGV[i + 4] ~= '' then
          redis.call('HSET', key, 'result', ARGV[i + 4])
        end
        if status == 'success' then
          redis.call('HDEL', key, 'error')
          err = ''
        elseif ARGV[i + 5] ~= '' then
          redis.call('HSET', key, 'error', ARGV[i + 5])
          err = ARGV[i + 5]
        end
        applied = true
        replies[#replies + 1] = 'applied'
        replies[#replies + 1] = status
        replies[#replies + 1] = tostring(attempts)
        replies[#replies + 1] = err
      end
    end
    if applied then
      redis.call('EXPIRE', key, ARGV[1])
      if current[4] and redis.call('GET', current[4]) == task_id then
        redis.call('EXPIRE', current[4], ARGV[1])
      end
    end
  end
  replies[#replies + 1] = current[5] or ''
  replies[#replies + 1] = current[6] or ''
end
return replies
`;

/** KEYS: task, idem. ARGV: task id. → 1 when the pending task was deleted, else 0. */
const ABANDON_LUA = `
if redis.call('HGET', KEYS[1], 'status') ~= 'pending' then
  return 0
end
redis.call('DEL', KEYS[1])
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('DEL', KEYS[2])
end
return 1
`;

/**
 * KEYS: task. ARGV: now. → {'missing'} | {'kept', status} | {'reopened', previous error or ''}
 * The one backwards move, for an operator replaying a dead-lettered task: only `failure` → `pending`, with
 * order 0 and attempts 0, so the replayed run's events (order attempt*10+rank) apply again and its terminal
 * state is final as usual. `queued` = 1: the caller publishes the message next. The TTL is left as it is.
 */
const REOPEN_LUA = `
local current = redis.call('HMGET', KEYS[1], 'status', 'error')
if not current[1] then
  return {'missing'}
end
if current[1] ~= 'failure' then
  return {'kept', current[1]}
end
redis.call('HSET', KEYS[1], 'status', 'pending', 'order', '0', 'attempts', '0', 'updated_at', ARGV[1], 'queued', '1')
redis.call('HDEL', KEYS[1], 'error', 'result')
return {'reopened', current[2] or ''}
`;

/** The commands `defineCommand` adds (EVALSHA, falling back to EVAL after a script-cache flush). */
interface TaskScripts {
  mpTaskCreate(keyCount: number, ...keysThenArgs: string[]): Promise<string[]>;
  /** Without a fixed key count: the first argument is the number of task keys (ioredis' `numberOfKeys` omitted). */
  mpTaskWrite(keyCount: number, ...keysThenArgs: string[]): Promise<string[]>;
  mpTaskAbandon(taskKey: string, idemKey: string, taskId: string): Promise<number>;
  mpTaskReopen(taskKey: string, now: string): Promise<string[]>;
}

/** The one file that knows Redis key names, TTLs and the record layout of task state. */
@Injectable()
export class TaskRepository {
  private readonly redis: Redis & TaskScripts;
  private readonly taskPrefix: string;
  private readonly idemPrefix: string;
  private readonly ttl: string;

  constructor(@Inject(REDIS_CLIENT) redis: Redis, config: ResultsConfig) {
    redis.defineCommand('mpTaskCreate', { lua: CREATE_LUA });
    redis.defineCommand('mpTaskWrite', { lua: WRITE_LUA });
    redis.defineCommand('mpTaskAbandon', { numberOfKeys: 2, lua: ABANDON_LUA });
    redis.defineCommand('mpTaskReopen', { numberOfKeys: 1, lua: REOPEN_LUA });
    this.redis = redis as Redis & TaskScripts;
    this.taskPrefix = `${config.REDIS_KEY_PREFIX}task:`;
    this.idemPrefix = `${config.REDIS_KEY_PREFIX}idem:`;
    this.ttl = String(config.TASK_TTL_SECONDS);
  }

  /** Returns the live (not failed) task of the idempotency key, or creates `taskId` as pending under it. */
  async create(input: CreateInput): Promise<CreateOutcome> {
    const { creates } = await this.createMany([input], []);
    const outcome = creates[0]!;
    if (outcome instanceof Error) throw outcome;
    return outcome;
  }

  /**
   * Marks the noted tasks queued, then runs each create as `create` would, in order, in one script call (a
   * group commit of the gateway: its notes and its creates). Per note whether the task exists; per create its
   * outcome, or an Error for a taken task id.
   */
  async createMany(inputs: readonly CreateInput[], queuedTaskIds: readonly string[]): Promise<{ marked: boolean[]; creates: (CreateOutcome | Error)[] }> {
    if (inputs.length === 0 && queuedTaskIds.length === 0) return { marked: [], creates: [] };
    const keys = queuedTaskIds.map((id) => this.taskKey(id));
    const args = [String(queuedTaskIds.length), this.taskPrefix, this.ttl];
    for (const input of inputs) {
      keys.push(this.idemKey(input.idempotencyKey), this.taskKey(input.taskId));
      args.push(input.taskId, String(input.matchId), input.at);
    }
    const reply = await this.redis.mpTaskCreate(keys.length, ...keys, ...args);
    const notes = queuedTaskIds.length;
    if (reply.length !== notes + inputs.length * CREATE_REPLY_VALUES) throw new Error(`unexpected reply from the task create script: ${reply.length} values`);
    const creates = inputs.map((_, i): CreateOutcome | Error => {
      const [taskId, created, status, queued] = reply.slice(notes + CREATE_REPLY_VALUES * i, notes + CREATE_REPLY_VALUES * (i + 1));
      if (created === 'collision') return new Error('task id collision');
      return { taskId: requireString(taskId), created: created === '1', status: toState(status), queued: queued === '1' };
    });
    return { marked: reply.slice(0, notes).map((v) => v === '1'), creates };
  }

  /** null when the task does not exist (unknown, abandoned or expired). */
  async find(taskId: string): Promise<TaskView | null> {
    const hash = await this.redis.hgetall(this.taskKey(taskId));
    return Object.keys(hash).length === 0 ? null : toTaskView(taskId, hash);
  }

  /** Compare-and-set: written only when `write.order` is greater than the stored order; refreshes the TTLs. */
  async write(taskId: string, write: TaskWrite): Promise<WriteOutcome> {
    const [outcome] = await this.writeInOrder(taskId, [write]);
    return outcome!;
  }

  /**
   * Several writes to one task in one round trip, applied in the given order, each exactly as `write` would
   * apply it on its own; one outcome per write, in the same order.
   */
  async writeInOrder(taskId: string, writes: readonly TaskWrite[]): Promise<WriteOutcome[]> {
    const [outcomes] = await this.writeManyInOrder([{ taskId, writes }]);
    return outcomes ?? [];
  }

  /**
   * The writes of several tasks in one script call, each task's exactly as `writeInOrder` would apply them;
   * per task, one outcome per write, in the same order.
   */
  async writeManyInOrder(tasks: readonly { taskId: string; writes: readonly TaskWrite[] }[]): Promise<WriteOutcome[][]> {
    const pending = tasks.filter((task) => task.writes.length > 0);
    if (pending.length === 0) return tasks.map(() => []);
    const keys: string[] = [];
    const args = [this.ttl];
    for (const { taskId, writes } of pending) {
      keys.push(this.taskKey(taskId));
      args.push(taskId, String(writes.length));
      for (const write of writes) {
        args.push(
          write.status,
          String(write.order),
          String(write.attempt),
          write.at,
          write.result === undefined ? '' : JSON.stringify(write.result),
          write.error ?? '',
        );
      }
    }
    const reply = await this.redis.mpTaskWrite(keys.length, ...keys, ...args);
    const expected = pending.reduce((n, task) => n + task.writes.length * WRITE_REPLY_VALUES + 2, 0);
    if (reply.length !== expected) throw new Error(`unexpected reply from the task write script: ${reply.length} values, ${expected} expected`);
    let at = 0;
    const byTask = new Map<(typeof tasks)[number], WriteOutcome[]>();
    for (const task of pending) {
      const size = task.writes.length * WRITE_REPLY_VALUES;
      byTask.set(task, outcomesOf(task.taskId, task.writes, reply.slice(at, at + size + 2)));
      at += size + 2;
    }
    return tasks.map((task) => byTask.get(task) ?? []);
  }

  /** Marks an existing task as queued (never creates one); false when there is no such task. */
  async markQueued(taskId: string): Promise<boolean> {
    const { marked } = await this.createMany([], [taskId]);
    return marked[0] ?? false;
  }

  /** Deletes a still-pending task, and its idempotency key if that still points at it. */
  async abandon(taskId: string, idempotencyKey: string): Promise<boolean> {
    return (await this.redis.mpTaskAbandon(this.taskKey(taskId), this.idemKey(idempotencyKey), taskId)) === 1;
  }

  /**
   * Admin replay: a `failure` task back to `pending` (order 0, attempts 0, error cleared, queued), keeping its
   * TTL. Any other status is left alone; a missing task is never recreated.
   */
  async reopen(taskId: string, at: string): Promise<ReopenOutcome> {
    const [outcome, detail] = await this.redis.mpTaskReopen(this.taskKey(taskId), at);
    if (outcome === 'missing') return { reopened: false, previousStatus: null };
    if (outcome === 'kept') return { reopened: false, previousStatus: toState(detail) };
    if (outcome === 'reopened') return { reopened: true, previousStatus: 'failure', ...(detail ? { previousError: detail } : {}) };
    throw new Error(`unexpected reply from the task reopen script: ${String(outcome)}`);
  }

  /** Readiness: connected and answering PING within `timeoutMs`. */
  async isReachable(timeoutMs = 1000): Promise<boolean> {
    if (this.redis.status !== 'ready') return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([this.redis.ping().then((reply) => reply === 'PONG'), timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  private taskKey(taskId: string): string {
    return `${this.taskPrefix}${taskId}`;
  }

  private idemKey(idempotencyKey: string): string {
    return `${this.idemPrefix}${idempotencyKey}`;
  }
}

/** Decodes a stored task hash into the public view. Exported for unit tests. */
export function toTaskView(taskId: string, hash: Record<string, string>): TaskView {
  const view: TaskView = {
    task_id: taskId,
    status: toState(hash.status),
    match_id: Number(hash.match_id),
    attempts: Number(hash.attempts ?? 0),
    submitted_at: hash.submitted_at ?? '',
    updated_at: hash.updated_at ?? '',
  };
  if (hash.result !== undefined) view.result = JSON.parse(hash.result) as Prediction;
  if (hash.error !== undefined) view.error = hash.error;
  return view;
}

/** One task's part of WRITE_LUA's reply (4 values per write, then match_id and submitted_at) as outcomes. */
function outcomesOf(taskId: string, writes: readonly TaskWrite[], reply: readonly string[]): WriteOutcome[] {
  const stored = { match_id: reply[reply.length - 2] ?? '', submitted_at: reply[reply.length - 1] ?? '' };
  return writes.map((write, i) => {
    const [outcome, status, attempts, error] = reply.slice(WRITE_REPLY_VALUES * i, WRITE_REPLY_VALUES * (i + 1));
    if (outcome === 'missing') return { outcome };
    if (outcome === 'stale') return { outcome, status: toState(status) };
    if (outcome === 'applied') return { outcome, status: toState(status), view: viewAfter(taskId, write, { status: toState(status), attempts: Number(attempts), error: error ?? '' }, stored) };
    throw new Error(`unexpected reply from the task write script: ${String(outcome)}`);
  });
}

/**
 * The record right after an applied write, as `toTaskView` would read it back: WRITE_LUA reports the status,
 * attempts and error it left; updated_at is the write's; a result is only ever written by the terminal success
 * (a replay, the one way back, deletes it), so it is this write's or none.
 */
function viewAfter(
  taskId: string,
  write: TaskWrite,
  after: { status: TaskState; attempts: number; error: string },
  stored: { match_id: string; submitted_at: string },
): TaskView {
  const view: TaskView = { task_id: taskId, status: after.status, match_id: Number(stored.match_id), attempts: after.attempts, submitted_at: stored.submitted_at, updated_at: write.at };
  if (write.result !== undefined) view.result = write.result;
  if (after.error !== '') view.error = after.error;
  return view;
}

function toState(value: unknown): TaskState {
  if (typeof value === 'string' && (TASK_STATES as readonly string[]).includes(value)) return value as TaskState;
  throw new Error(`corrupt task record: status ${JSON.stringify(value)}`);
}

function requireString(value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new Error('corrupt reply from the task create script');
  return value;
}
