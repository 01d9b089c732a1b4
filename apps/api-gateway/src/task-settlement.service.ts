import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Patterns, TERMINAL_STATES, type TaskView } from '@app/contracts';
import { BROKER_OPTIONS, BrokerTopology, decodeEvent, FanoutSubscription, type BrokerOptions } from '@app/messaging';
import { InjectMetric, Metrics } from '@app/metrics';
import type { Gauge } from 'prom-client';
import { GATEWAY_CONFIG, GatewayConfig } from './gateway.config.js';
import { InferenceService } from './inference.service.js';
import { SettlementWaiters } from './settlement-waiters.js';

/**
 * Task-status long-polls: hold a status request until the task settles or the wait is over. `results` sends a
 * `task.settled.v1` notice on the `tasks.settled` fanout after writing a terminal state; each gateway replica
 * listens on a private queue and wakes its waiters, which then read the task through the status RPC as any
 * poll does (a notice is a hint, never the answer). Waiters also re-read every STATUS_WAIT_RECHECK_MS, so a
 * notice lost with the broker costs latency, not a wrong or missing answer.
 */
@Injectable()
export class TaskSettlementService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly waiters: SettlementWaiters;
  private subscription: FanoutSubscription | undefined;

  constructor(
    @Inject(BROKER_OPTIONS) private readonly broker: BrokerOptions,
    private readonly topology: BrokerTopology,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly inference: InferenceService,
    @InjectMetric(Metrics.taskStatusWaiters.name) private readonly waiting: Gauge<string>,
  ) {
    this.waiters = new SettlementWaiters(config.STATUS_WAITERS_MAX);
  }

  onApplicationBootstrap(): void {
    this.waiting.set(0);
    this.subscription = new FanoutSubscription(this.broker, this.topology.topology.settledExchange, (content) => this.receive(content));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.close();
  }

  /** Resolves once the notice subscription is consuming (tests; the app does not wait for it). */
  async ready(timeoutMs: number): Promise<void> {
    if (!this.subscription) throw new Error('settled-notice subscription not started');
    await this.subscription.ready(timeoutMs);
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
      for (;;) {
        const task = await this.inference.status(taskId);
        const left = deadline - performance.now();
        if (!task || TERMINAL_STATES.has(task.status) || !watch || left <= 0 || signal?.aborted) return task;
        await watch.next(Math.min(left, this.config.STATUS_WAIT_RECHECK_MS), signal);
      }
    } finally {
      watch?.cancel();
      this.waiting.set(this.waiters.size);
    }
  }

  /**
   * One notice off the wire. Read structurally, not validated in full: it only ever wakes a waiter early, and
   * the waiter then reads the task through the status RPC, so a malformed notice cannot produce a wrong answer.
   */
  receive(content: Buffer): void {
    if (this.waiters.size === 0) return;
    const envelope = decodeEvent(content);
    if (envelope?.pattern !== Patterns.taskSettled) return;
    const tasks = (envelope.data as { tasks?: unknown } | null)?.tasks;
    if (!Array.isArray(tasks)) return;
    const ids: string[] = [];
    for (const entry of tasks as unknown[]) {
      const id = (entry as { task_id?: unknown } | null)?.task_id;
      if (typeof id === 'string') ids.push(id);
    }
    this.waiters.settle(ids);
  }
}
