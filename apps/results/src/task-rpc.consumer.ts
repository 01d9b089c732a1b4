import { Logger } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  MessageValidationError,
  Patterns,
  TaskAbandonMessage,
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
import { BrokerConsumer, RpcFailure, toRpcErrorPayload } from '@app/messaging';
import { RESULTS_RPC_TRANSPORT } from './results.transports.js';
import { TaskStateService } from './task-state.service.js';

/**
 * Task-state RPCs on the results RPC queue. The hot ones (create, queued, status, one to four per async task)
 * validate through the contracts' fast paths, which answer exactly as class-validator does. An invalid request is answered `invalid_message`; a failure while
 * Redis is unreachable `not_ready` (the gateway answers 503: try again), any other failure `internal`. The
 * settle interceptor acks every request either way.
 */
@BrokerConsumer()
export class TaskRpcConsumer {
  private readonly logger = new Logger(TaskRpcConsumer.name);

  constructor(private readonly tasks: TaskStateService) {}

  @MessagePattern(Patterns.taskCreate, RESULTS_RPC_TRANSPORT)
  async create(@Payload() data: unknown): Promise<TaskCreateReply> {
    return this.guarded(() => this.tasks.create(validateTaskCreate(data)));
  }

  @MessagePattern(Patterns.taskStatus, RESULTS_RPC_TRANSPORT)
  async status(@Payload() data: unknown): Promise<TaskStatusReply> {
    return this.guarded(() => this.tasks.status(validateTaskStatus(data).task_id));
  }

  @MessagePattern(Patterns.taskQueued, RESULTS_RPC_TRANSPORT)
  async queued(@Payload() data: unknown): Promise<TaskQueuedReply> {
    return this.guarded(() => this.tasks.markQueued(validateTaskQueued(data)));
  }

  /**
   * The gateway's group commit: many creates in one RPC, each answered on its own, after the queued notes that
   * rode along. The notes' Redis calls are issued first, on the one connection that carries the creates' calls
   * too, so Redis applies them first: a create for a key whose task a note marks finds it queued.
   */
  @MessagePattern(Patterns.taskCreateMany, RESULTS_RPC_TRANSPORT)
  async createMany(@Payload() data: unknown): Promise<BatchRpcReply<TaskCreateReply>> {
    const { items, queued = [] } = validateTaskCreateMany(data);
    const notes = queued.map((note) =>
      this.guarded(() => this.tasks.markQueued(validateTaskQueued(note))).catch((error: unknown) => {
        // Best effort, as a lone note is: the worst a lost note costs is one more publish of the same task.
        this.logger.warn(`queued note skipped: ${error instanceof Error ? error.message : String(error)}`);
      }),
    );
    const answers = this.answerEach(items, (item) => this.tasks.create(validateTaskCreate(item)));
    await Promise.all(notes);
    return answers;
  }

  @MessagePattern(Patterns.taskStatusMany, RESULTS_RPC_TRANSPORT)
  async statusMany(@Payload() data: unknown): Promise<BatchRpcReply<TaskStatusReply>> {
    return this.many(data, (item) => this.tasks.status(validateTaskStatus(item).task_id));
  }

  @MessagePattern(Patterns.taskQueuedMany, RESULTS_RPC_TRANSPORT)
  async queuedMany(@Payload() data: unknown): Promise<BatchRpcReply<TaskQueuedReply>> {
    return this.many(data, (item) => this.tasks.markQueued(validateTaskQueued(item)));
  }

  /** Admin, used by the dead-letter replay tool (`npm run dlq -- replay`). */
  @MessagePattern(Patterns.taskReplay, RESULTS_RPC_TRANSPORT)
  async replay(@Payload() data: unknown): Promise<TaskReplayReply> {
    return this.guarded(() => this.tasks.reopenForReplay(validateMessage(TaskReplayMessage, data)));
  }

  @MessagePattern(Patterns.taskAbandon, RESULTS_RPC_TRANSPORT)
  async abandon(@Payload() data: unknown): Promise<TaskAbandonReply> {
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
          (error: unknown): BatchItemReply<T> => {
            const payload = toRpcErrorPayload(error);
            if (payload.code === 'internal') this.logger.error(`batch item failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
            return { ok: false, error: payload };
          },
        ),
      ),
    );
    return { items: answers };
  }
}
