import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Patterns, TASK_STATES, TERMINAL_STATES, type TaskState, type TaskView } from '@app/contracts';
import { BROKER_OPTIONS, BrokerTopology, decodeEvent, FanoutSubscription, type BrokerOptions } from '@app/messaging';
import { InjectMetric, Metrics } from '@app/metrics';
import type { Counter, Gauge } from 'prom-client';
import { GATEWAY_CONFIG, GatewayConfig } from './gateway.config.js';
import { InferenceService } from './inference.service.js';
import { SettlementWaiters, type TaskNotice } from './settlement-waiters.js';
import { TaskViewCache } from './task-view-cache.js';

/**
 * Task-status reads and long-polls. `results` sends a `task.settled.v1` notice on the `tasks.settled` fanout
 * after each change it writes, with the record it wrote; each gateway replica listens on a private queue.
 *
 * - A held long-poll (`wait_ms`) is answered with the record of the notice that names its task (ADR 0007,
 *   amended by ADR 0011); a notice without one makes it read the task through the status RPC. Waiters also
 *   re-read every STATUS_WAIT_RECHECK_MS, so a notice lost with the broker costs latency, not a wrong answer.
 * - A task this gateway accepted is followed in a `TaskViewCache` while notices flow, so that its reads need
 *   no round trip to `results` (ADR 0011). While the subscription is down the cache is not asked, and it is
 *   emptied when the subscription is back: notices may have been missed meanwhile.
 */
@Injectable()
export class TaskSettlementService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly waiters: SettlementWaiters;
  private subscription: FanoutSubscription | undefined;
  /** Whether every notice since the cache was last emptied has been seen. */
  private noticesFlowing = false;

  constructor(
    @Inject(BROKER_OPTIONS) private readonly broker: BrokerOptions,
    private readonly topology: BrokerTopology,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly inference: InferenceService,
    private readonly views: TaskViewCache,
    @InjectMetric(Metrics.taskStatusWaiters.name) private readonly waiting: Gauge<string>,
    @InjectMetric(Metrics.taskStatusReads.name) private readonly reads: Counter<string>,
  ) {
    this.waiters = new SettlementWaiters(config.STATUS_WAITERS_MAX);
    for (const source of ['cache', 'results']) this.reads.inc({ source }, 0);
  }

  onApplicationBootstrap(): void {
    this.waiting.set(0);
    this.subscription = new FanoutSubscription(this.broker, this.topology.topology.settledExchange, (content) => this.receive(content), {
      onSubscribed: () => this.noticesResumed(),
      onLost: () => this.noticesStopped(),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.close();
  }

  /** Resolves once the notice subscription is consuming (tests; the app does not wait for it). */
  async ready(timeoutMs: number): Promise<void> {
    if (!this.subscription) throw new Error('settled-notice subscription not started');
    await this.subscription.ready(timeoutMs);
  }

  /** A new notice queue consumes: from now on no notice is missed, but some may have been before. */
  noticesResumed(): void {
    this.views.clear();
    this.noticesFlowing = true;
  }

  /** The notice queue is gone (with its channel): notices are being missed. */
  noticesStopped(): void {
    this.noticesFlowing = false;
    this.views.clear();
  }

  /**
   * The task once it is success or failure, or as it stands after `waitMs`; null when unknown or expired.
   * Stops waiting early when `signal` aborts (the client went away). Past STATUS_WAITERS_MAX held polls it
   * answers at once, as a plain poll.
   */
  async statusWithin(taskId: string, waitMs: number, signal?: AbortSignal): Promise<TaskView | null> {
    // Watch before the first read: a notice that lands between the read and the wait is not missed.
    const watch = waitMs > 0 ? this.waiters.watch(taskId) : null;
    this.waiting.set(this.waiters.size);
    try {
      const deadline = performance.now() + waitMs;
      let task = await this.read(taskId);
      for (;;) {
        const left = deadline - performance.now();
        if (!task || TERMINAL_STATES.has(task.status) || !watch || left <= 0 || signal?.aborted) return task;
        const noticed = await watch.next(Math.min(left, this.config.STATUS_WAIT_RECHECK_MS), signal);
        const record = noticed ? watch.latest() : undefined;
        task = record ?? (await this.read(taskId));
      }
    } finally {
      watch?.cancel();
      this.waiting.set(this.waiters.size);
    }
  }

  /** The task from the view cache when it can answer, else through the status RPC (which refreshes the cache). */
  private async read(taskId: string): Promise<TaskView | null> {
    const cached = this.noticesFlowing ? this.views.get(taskId) : undefined;
    if (cached) {
      this.reads.inc({ source: 'cache' });
      return cached;
    }
    this.reads.inc({ source: 'results' });
    const task = await this.inference.status(taskId);
    if (task) this.views.update(task);
    else this.views.forget(taskId);
    return task;
  }

  /**
   * One notice off the wire. Read structurally, not validated in full: a record is used only when it has the
   * shape of a task view of the task it names; anything else only wakes the waiter, which then reads the task
   * through the status RPC, so a malformed notice cannot produce a wrong answer.
   */
  receive(content: Buffer): void {
    if (this.waiters.size === 0 && this.views.size === 0) return;
    const envelope = decodeEvent(content);
    if (envelope?.pattern !== Patterns.taskSettled) return;
    const tasks = (envelope.data as { tasks?: unknown } | null)?.tasks;
    if (!Array.isArray(tasks)) return;
    const notices: TaskNotice[] = [];
    for (const entry of tasks as unknown[]) {
      const taskId = (entry as { task_id?: unknown } | null)?.task_id;
      if (typeof taskId !== 'string') continue;
      const record = asTaskView((entry as { record?: unknown }).record, taskId);
      if (record) this.views.update(record);
      else this.views.forget(taskId);
      notices.push(record ? { taskId, record } : { taskId });
    }
    this.waiters.settle(notices);
  }
}

/** The record when it is a task view of `taskId` (the fields the status RPC answers with), else undefined. */
export function asTaskView(value: unknown, taskId: string): TaskView | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Partial<Record<keyof TaskView, unknown>>;
  if (v.task_id !== taskId || !(TASK_STATES as readonly unknown[]).includes(v.status)) return undefined;
  if (typeof v.match_id !== 'number' || typeof v.attempts !== 'number' || typeof v.submitted_at !== 'string' || typeof v.updated_at !== 'string') return undefined;
  if (v.error !== undefined && typeof v.error !== 'string') return undefined;
  if (v.result !== undefined && (typeof v.result !== 'object' || v.result === null)) return undefined;
  if ((v.status as TaskState) === 'success' && v.result === undefined) return undefined;
  return value as TaskView;
}
