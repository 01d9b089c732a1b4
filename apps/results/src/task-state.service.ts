import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import {
  MessageValidationError,
  TERMINAL_STATES,
  type TaskAbandonMessage,
  type TaskAbandonReply,
  type TaskCreateMessage,
  type TaskCreateReply,
  type TaskQueuedMessage,
  type TaskQueuedReply,
  type TaskReplayMessage,
  type TaskReplayReply,
  type TaskRetryingMessage,
  type TaskBatchMessage,
  type TaskStartedMessage,
  type TaskState,
  type TaskStatusReply,
  type TaskSucceededMessage,
} from '@app/contracts';
import { Headers, attemptOf, correlationIdOf, deathOf } from '@app/messaging';
import { AppLogger } from '@app/platform';
import { InjectMetric, Metrics } from '@app/metrics';
import { isUUID } from 'class-validator';
import type { Counter } from 'prom-client';
import { TaskSettledPublisher } from './task-settled.publisher.js';
import { TaskRepository, type TaskWrite, type WriteOutcome } from './task.repository.js';

// ---------------------------------------------------------------------------------------------------------
// Ordering: pure functions. "Never move backwards" is one comparison: a write applies only when its order is
// strictly greater than the stored one (the repository's Lua compare-and-set does exactly that).
// ---------------------------------------------------------------------------------------------------------

/** Order of both terminal states: above every attempt, and equal, so the first terminal write wins. */
export const TERMINAL_ORDER = 1_000_000_000;

/** Largest attempt number whose orders stay below TERMINAL_ORDER. */
export const MAX_ATTEMPT = (TERMINAL_ORDER - 10) / 10;

const RANK: Record<Exclude<TaskState, 'success' | 'failure'>, number> = { pending: 0, started: 1, retry: 2 };

/** terminal ? 1e9 : attempt * 10 + rank (pending 0, started 1, retry 2). */
export function stateOrder(status: TaskState, attempt: number): number {
  if (TERMINAL_STATES.has(status)) return TERMINAL_ORDER;
  if (!Number.isInteger(attempt) || attempt < 0 || attempt > MAX_ATTEMPT) {
    throw new RangeError(`attempt must be an integer in 0..${MAX_ATTEMPT}, got ${attempt}`);
  }
  return attempt * 10 + RANK[status as keyof typeof RANK];
}

/** The compare-and-set rule, as the Lua script applies it. */
export function supersedes(nextOrder: number, currentOrder: number): boolean {
  return nextOrder > currentOrder;
}

function checkedAttempt(attempt: number): number {
  if (attempt > MAX_ATTEMPT) throw new MessageValidationError([`attempt must not be greater than ${MAX_ATTEMPT}`]);
  return attempt;
}

export function startedWrite(event: TaskStartedMessage, at: string): TaskWrite {
  const attempt = checkedAttempt(event.attempt);
  return { status: 'started', order: stateOrder('started', attempt), attempt, at };
}

export function retryWrite(event: TaskRetryingMessage, at: string): TaskWrite {
  const attempt = checkedAttempt(event.attempt);
  return { status: 'retry', order: stateOrder('retry', attempt), attempt, at, error: event.error };
}

export function successWrite(event: TaskSucceededMessage, at: string): TaskWrite {
  const attempt = checkedAttempt(event.attempt);
  return { status: 'success', order: TERMINAL_ORDER, attempt, at, result: event.result };
}

// ---------------------------------------------------------------------------------------------------------
// Dead letters: the original task message plus headers saying why it died.
// ---------------------------------------------------------------------------------------------------------

export const MAX_ERROR_LENGTH = 2000;

export interface DeadLetter {
  taskId: string;
  reason: string;
  error: string | undefined;
  attempt: number;
}

/**
 * Reads a dead-lettered task message. null when there is no task to mark: the payload is not an object or
 * has no valid task id (a poison message can be anything, so nothing else in it is required).
 */
export function readDeadLetter(payload: unknown, headers: Record<string, unknown> | undefined): DeadLetter | null {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return null;
  const taskId = (payload as { task_id?: unknown }).task_id;
  if (typeof taskId !== 'string' || !isUUID(taskId)) return null;
  return {
    taskId,
    // Ours, else the broker's newest death (not x-first-death-reason: for a retried task that is the retry queue's expiry).
    reason: headerText(deathOf(headers).reason) ?? 'unknown',
    error: headerText(headers?.[Headers.deathError]),
    attempt: Math.min(attemptOf(headers), MAX_ATTEMPT),
  };
}

export function failureWrite(dead: DeadLetter, at: string): TaskWrite {
  const error = `${dead.reason}: ${dead.error ?? 'no error detail'}`;
  return { status: 'failure', order: TERMINAL_ORDER, attempt: dead.attempt, at, error: error.slice(0, MAX_ERROR_LENGTH) };
}

/** AMQP header values arrive as strings, numbers or Buffers (long strings); anything else is ignored. */
function headerText(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value.slice(0, MAX_ERROR_LENGTH);
  if (Buffer.isBuffer(value)) return headerText(value.toString('utf8'));
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------

/** Task state use cases. Counts every write attempt in `task_state_transitions_total{to}`. */
@Injectable()
export class TaskStateService {
  private readonly logger = new Logger(TaskStateService.name);
  private readonly log = AppLogger.for(TaskStateService.name);

  constructor(
    private readonly repository: TaskRepository,
    @InjectMetric(Metrics.taskTransitions.name) private readonly transitions: Counter<string>,
    private readonly settled: TaskSettledPublisher,
  ) {}

  async create(message: TaskCreateMessage): Promise<TaskCreateReply> {
    const [reply] = await this.createMany([message], []);
    if (reply instanceof Error) throw reply;
    return reply!;
  }

  /**
   * A gateway's group commit in one Redis call: the queued notes first (so a create for a key whose task a note
   * marks finds it queued), then each create as `create` would answer it, or an Error for that create alone.
   */
  async createMany(messages: readonly TaskCreateMessage[], queuedTaskIds: readonly string[]): Promise<(TaskCreateReply | Error)[]> {
    const at = now();
    const { creates } = await this.repository.createMany(
      messages.map((message) => ({ taskId: randomUUID(), idempotencyKey: message.idempotency_key, matchId: message.request.match_id, at })),
      queuedTaskIds,
    );
    return creates.map((outcome) => {
      if (outcome instanceof Error) return outcome;
      if (!outcome.created) return { task_id: outcome.taskId, created: false, status: outcome.status, queued: outcome.queued };
      this.transitions.inc({ to: 'pending' });
      return { task_id: outcome.taskId, created: true, status: outcome.status, queued: outcome.queued, submitted_at: at };
    });
  }

  /** Whether Redis answers right now: tells an outage apart from a bug when a call fails. */
  storeReachable(): Promise<boolean> {
    return this.repository.isReachable(500);
  }

  status(taskId: string): Promise<TaskStatusReply> {
    return this.repository.find(taskId);
  }

  async abandon(message: TaskAbandonMessage): Promise<TaskAbandonReply> {
    const abandoned = await this.repository.abandon(message.task_id, message.idempotency_key);
    this.logger.log(`task ${message.task_id} ${abandoned ? 'abandoned' : 'not abandoned (not pending)'}: ${message.reason}`);
    return { abandoned };
  }

  async markQueued(message: TaskQueuedMessage): Promise<TaskQueuedReply> {
    return { marked: await this.repository.markQueued(message.task_id) };
  }

  /**
   * Admin replay of a dead-lettered task: the one backwards transition (`failure` → `pending`), always logged.
   * Anything but a failed task is left as it is: a success stays final, a missing task is never recreated.
   */
  async reopenForReplay(message: TaskReplayMessage): Promise<TaskReplayReply> {
    const outcome = await this.repository.reopen(message.task_id, now());
    if (outcome.reopened) {
      this.settled.reopened(message.task_id);
      this.transitions.inc({ to: 'pending' });
      this.logger.warn(
        `task ${message.task_id} reopened for replay (failure → pending, attempts reset): ${message.reason}; ` +
          `previous error: ${outcome.previousError ?? 'none'}`,
      );
    } else {
      this.logger.warn(
        `task ${message.task_id} not reopened for replay (${outcome.previousStatus ?? 'no such task: unknown or expired'}): ${message.reason}`,
      );
    }
    return { reopened: outcome.reopened, previous_status: outcome.previousStatus };
  }

  recordStarted(event: TaskStartedMessage): Promise<void> {
    return this.apply(event.task_id, startedWrite(event, now()), event.correlation_id);
  }

  recordRetrying(event: TaskRetryingMessage): Promise<void> {
    return this.apply(event.task_id, retryWrite(event, now()), event.correlation_id);
  }

  recordSucceeded(event: TaskSucceededMessage): Promise<void> {
    return this.apply(event.task_id, successWrite(event, now()), event.correlation_id);
  }

  /**
   * The started and succeeded attempts of one predictor batch, in one script call: each task's starts before its
   * successes, so each task still moves forward one state at a time, each write checked as if it came alone
   * (`writeManyInOrder`). Every write is checked before any is sent.
   */
  async recordBatch(batch: TaskBatchMessage): Promise<void> {
    const at = now();
    const byTask = new Map<string, BatchWrite[]>();
    const add = (taskId: string, write: TaskWrite, correlationId: string | undefined) => {
      const writes = byTask.get(taskId);
      if (writes) writes.push({ write, correlationId });
      else byTask.set(taskId, [{ write, correlationId }]);
    };
    for (const event of batch.started) add(event.task_id, startedWrite(event, at), event.correlation_id);
    for (const event of batch.succeeded) add(event.task_id, successWrite(event, at), event.correlation_id);
    const tasks = Array.from(byTask, ([taskId, writes]) => ({ taskId, writes }));
    const outcomes = await this.repository.writeManyInOrder(tasks.map(({ taskId, writes }) => ({ taskId, writes: writes.map(({ write }) => write) })));
    tasks.forEach(({ taskId, writes }, t) => writes.forEach(({ write, correlationId }, i) => this.recorded(taskId, write, outcomes[t]![i]!, correlationId)));
  }

  /** A task message reached the dead-letter exchange: the task has failed (unless it already ended). */
  async recordDeadLetter(payload: unknown, headers: Record<string, unknown> | undefined): Promise<void> {
    const dead = readDeadLetter(payload, headers);
    if (dead === null) {
      this.logger.warn('dead-lettered message without a task id: nothing to mark');
      return;
    }
    await this.apply(dead.taskId, failureWrite(dead, now()), correlationIdOf(headers));
  }

  private async apply(taskId: string, write: TaskWrite, correlationId: string | undefined): Promise<void> {
    this.recorded(taskId, write, await this.repository.write(taskId, write), correlationId);
  }

  /** The one place every write's outcome is reported: counted in `task_state_transitions_total`, logged at debug. */
  private recorded(taskId: string, write: TaskWrite, outcome: WriteOutcome, correlationId: string | undefined): void {
    const applied = outcome.outcome === 'applied';
    this.transitions.inc({ to: applied ? write.status : 'ignored' });
    if (outcome.outcome === 'applied') this.settled.note(outcome.view);
    // One line per transition at debug (a task's story, with the gateway's correlation id); off by default.
    if (!this.log.isEnabled('debug')) return;
    const fields = { task_id: taskId, correlation_id: correlationId, to: write.status, attempt: write.attempt };
    if (applied) this.log.debug('task state changed', fields);
    else if (outcome.outcome === 'missing') this.log.debug('transition ignored: no such task (unknown or expired)', fields);
    else this.log.debug('transition ignored: the task is already further on', { ...fields, status: outcome.status });
  }
}

/** One write of a batch, with the correlation id of the event it came from (for its log line). */
interface BatchWrite {
  write: TaskWrite;
  correlationId: string | undefined;
}

function now(): string {
  return new Date().toISOString();
}
