import { Inject, Injectable } from '@nestjs/common';
import {
  Patterns,
  type BatchRpcReply,
  type TaskCreateMessage,
  type TaskCreateReply,
  type TaskQueuedReply,
  type TaskStatusReply,
} from '@app/contracts';
import { GroupCommit, RpcClient, RpcRemoteError, type GroupCommitOptions } from '@app/messaging';
import { GATEWAY_CONFIG, GatewayConfig } from './gateway.config.js';
import { RESULTS_RPC } from './gateway.transports.js';

/**
 * Flush sizes of the group commits. Two flushes in flight keep `results` busy while the next batch gathers;
 * a lone request still goes out at once, so latency at low load is the single RPC's.
 */
const GROUP_COMMIT: GroupCommitOptions = { maxBatch: 256, maxInFlight: 2 };

/**
 * The task store (`results`) as the gateway uses it on the hot path: reserve, note queued, read status. Each is
 * a group commit over the `*.many.v1` RPC, so N concurrent submissions cost a few round trips, not 2N.
 * Errors per item come back as the single RPC's would (`RpcRemoteError`), a lost batch as `RpcTimeoutError`.
 */
@Injectable()
export class TaskStoreClient {
  private readonly creates: GroupCommit<TaskCreateMessage, TaskCreateReply>;
  private readonly queuedNotes: GroupCommit<string, TaskQueuedReply>;
  private readonly statuses: GroupCommit<string, TaskStatusReply>;

  constructor(
    @Inject(RESULTS_RPC) private readonly results: RpcClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {
    this.creates = new GroupCommit(async (items) => answers(await this.results.call(Patterns.taskCreateMany, { items }, this.options())), GROUP_COMMIT);
    this.queuedNotes = new GroupCommit(
      async (ids) => answers(await this.results.call(Patterns.taskQueuedMany, { items: ids.map((task_id) => ({ task_id })) }, this.options())),
      GROUP_COMMIT,
    );
    this.statuses = new GroupCommit(
      async (ids) => answers(await this.results.call(Patterns.taskStatusMany, { items: ids.map((task_id) => ({ task_id })) }, this.options())),
      GROUP_COMMIT,
    );
  }

  /** Reserves a task for the request, or answers the live task already holding its idempotency key. */
  create(message: TaskCreateMessage): Promise<TaskCreateReply> {
    return this.creates.submit(message);
  }

  /** Notes that the task's message is confirmed by the broker. */
  markQueued(taskId: string): Promise<TaskQueuedReply> {
    return this.queuedNotes.submit(taskId);
  }

  /** The task, or null when unknown or expired. */
  status(taskId: string): Promise<TaskStatusReply> {
    return this.statuses.submit(taskId);
  }

  private options(): { timeoutMs: number } {
    return { timeoutMs: this.config.RESULTS_RPC_TIMEOUT_MS };
  }
}

function answers<T>(reply: BatchRpcReply<T>): (T | Error)[] {
  return reply.items.map((item) => (item.ok ? item.value : new RpcRemoteError(item.error)));
}
