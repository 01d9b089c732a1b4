import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import {
  MessageValidationError,
  Patterns,
  TaskAbandonMessage,
  TaskCreateMessage,
  TaskReplayMessage,
  validateBatchRpc,
  validateMessage,
  validateTaskCreate,
  validateTaskCreateMany,
  validateTaskQueued,
  validateTaskStatus,
  type BatchItemReply,
  type BatchRpcReply,
  type TaskAbandonReply,
  type TaskCreateReply,
  type TaskQueuedReply,
  type TaskReplayReply,
  type TaskStatusReply,
} from '@app/contracts';
import { BrokerTopology, RpcFailure, RpcQueueConsumer, toRpcErrorPayload } from '@app/messaging';
import { AppLogger } from '@app/platform';
import { ResultsConfig } from './results.config.js';
import { TaskStateService } from './task-state.service.js';

/**
 * Task-state RPCs on the results RPC queue, served by an `RpcQueueConsumer` outside Nest's per-message
 * pipeline (ADR 0009, extended to `results` by ADR 0013). The hot ones (create, queued, status, one to four per
 * async task) validate through the contracts' fast paths, which answer exactly as class-validator does. An
 * invalid request is answered `invalid_message`; a failure while Redis is unreachable `not_ready` (the gateway
 * answers 503: try again), any other failure `internal`. Every request is acked once answered.
 */
@Injectable()
export class TaskRpcConsumer implements BeforeApplicationShutdown {
  private readonly logger = AppLogger.for(TaskRpcConsumer.name);
  private consumer: RpcQueueConsumer | undefined;

  constructor(
    private readonly tasks: TaskStateService,
    private readonly broker: BrokerTopology,
    private readonly config: ResultsConfig,
  ) {}

  /** Starts answering the RPC queue; called by bootstrap once HTTP is up. */
  async start(): Promise<void> {
    this.consumer = new RpcQueueConsumer(
      { url: this.config.AMQP_URL },
      { queue: this.broker.topology.queues.resultsRpc, prefetch: this.config.RESULTS_PREFETCH },
      {
        [Patterns.taskCreate]: (data) => this.create(data),
        [Patterns.taskStatus]: (data) => this.status(data),
        [Patterns.taskQueued]: (data) => this.queued(data),
        [Patterns.taskCreateMany]: (data) => this.createMany(data),
        [Patterns.taskStatusMany]: (data) => this.statusMany(data),
        [Patterns.taskQueuedMany]: (data) => this.queuedMany(data),
        [Patterns.taskReplay]: (data) => this.replay(data),
        [Patterns.taskAbandon]: (data) => this.abandon(data),
      },
      this.logger,
    );
    await this.consumer.ready();
  }

  /** Readiness: the RPC queue is being consumed. */
  isConsuming(): boolean {
    return this.consumer?.isConsuming() ?? false;
  }

  /** Answers the requests in flight before the app's connections (Redis included) close. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }

  async create(data: unknown): Promise<TaskCreateReply> {
    return this.guarded(() => this.tasks.create(validateTaskCreate(data)));
  }

  async status(data: unknown): Promise<TaskStatusReply> {
    return this.guarded(() => this.tasks.status(validateTaskStatus(data).task_id));
  }

  async queued(data: unknown): Promise<TaskQueuedReply> {
    return this.guarded(() => this.tasks.markQueued(validateTaskQueued(data)));
  }

  /**
   * The gateway's group commit: many creates in one RPC, each answered on its own, after the queued notes that
   * rode along. The notes' Redis calls are issued first, on the one connection that carries the creates' calls
   * too, so Redis applies them first: a create for a key whose task a note marks finds it queued.
   */
  async createMany(data: unknown): Promise<BatchRpcReply<TaskCreateReply>> {
    const { items, queued = [] } = validateTaskCreateMany(data);
    const notes: string[] = [];
    for (const note of queued) {
      try {
        notes.push(validateTaskQueued(note).task_id);
      } catch (error) {
        // Best effort, as a lone note is: the worst a lost note costs is one more publish of the same task.
        this.logger.warn('queued note skipped', { error: error instanceof Error ? error.message : String(error) });
      }
    }
    // Each item is answered as its single RPC would be: an invalid one alone, the valid ones from one Redis call.
    const answers: BatchItemReply<TaskCreateReply>[] = [];
    const valid: { index: number; message: TaskCreateMessage }[] = [];
    items.forEach((item, index) => {
      try {
        valid.push({ index, message: validateTaskCreate(item) });
      } catch (error) {
        answers[index] = this.failed(error);
      }
    });
    try {
      const replies = await this.guarded(() => this.tasks.createMany(valid.map(({ message }) => message), notes));
      valid.forEach(({ index }, i) => {
        const reply = replies[i]!;
        answers[index] = reply instanceof Error ? this.failed(reply) : { ok: true, value: reply };
      });
    } catch (error) {
      for (const { index } of valid) answers[index] = this.failed(error);
    }
    return { items: answers };
  }

  async statusMany(data: unknown): Promise<BatchRpcReply<TaskStatusReply>> {
    return this.many(data, (item) => this.tasks.status(validateTaskStatus(item).task_id));
  }

  async queuedMany(data: unknown): Promise<BatchRpcReply<TaskQueuedReply>> {
    return this.many(data, (item) => this.tasks.markQueued(validateTaskQueued(item)));
  }

  /** Admin, used by the dead-letter replay tool (`npm run dlq -- replay`). */
  async replay(data: unknown): Promise<TaskReplayReply> {
    return this.guarded(() => this.tasks.reopenForReplay(validateMessage(TaskReplayMessage, data)));
  }

  async abandon(data: unknown): Promise<TaskAbandonReply> {
    return this.guarded(() => this.tasks.abandon(validateMessage(TaskAbandonMessage, data)));
  }

  private async guarded<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof MessageValidationError || error instanceof RpcFailure) throw error;
      if (!(await this.tasks.storeReachable())) throw new RpcFailure('not_ready', 'the task store (Redis) is unavailable');
      throw error;
    }
  }

  private many<T>(data: unknown, one: (item: unknown) => Promise<T>): Promise<BatchRpcReply<T>> {
    return this.answerEach(validateBatchRpc(data).items, one);
  }

  /** Runs every item concurrently (ioredis pipelines their Redis calls) and answers each as its single RPC would. */
  private async answerEach<T>(items: unknown[], one: (item: unknown) => Promise<T>): Promise<BatchRpcReply<T>> {
    const answers = await Promise.all(
      items.map((item) =>
        this.guarded(() => one(item)).then(
          (value): BatchItemReply<T> => ({ ok: true, value }),
          (error: unknown) => this.failed<T>(error),
        ),
      ),
    );
    return { items: answers };
  }

  /** A batch item's failure, as its single RPC would have answered it; unexpected ones are logged. */
  private failed<T>(error: unknown): BatchItemReply<T> {
    const payload = toRpcErrorPayload(error);
    if (payload.code === 'internal') this.logger.error('batch item failed', { err: error });
    return { ok: false, error: payload };
  }
}
