import { Inject, Injectable } from '@nestjs/common';
import {
  BATCH_RPC_MAX_ITEMS,
  Patterns,
  type BatchRpcReply,
  type TaskCreateMessage,
  type TaskCreateReply,
  type TaskStatusReply,
} from '@app/contracts';
import { GroupCommit, RpcClient, RpcRemoteError, type GroupCommitOptions } from '@app/messaging';
import { GATEWAY_CONFIG, GatewayConfig } from './gateway.config.js';
import { RESULTS_RPC } from './gateway.transports.js';

/**
 * Flush sizes of the group commits. One flush in flight, the next gathering every request that arrives
 * meanwhile (and the rest of the current turn): under load, batches twice as large as with two in flight, and
 * with them fewer messages per task through RabbitMQ, `results` and the gateway; measured side by side in
 * row 5 of the bench, 0.85× the peer's tasks/s polling against 0.72–0.77× (session 7). A lone request still
 * goes out at the end of its turn, so latency at low load is the single RPC's.
 */
const GROUP_COMMIT: GroupCommitOptions = { maxBatch: 256, maxInFlight: 1, gatherTick: true };

/**
 * A queued note rides in the next create batch (applied before its creates); with no create to ride in, it
 * goes alone after this long. Under load nearly every note rides, so the notes cost no RPC of their own.
 */
const NOTE_ALONE_AFTER_MS = 10;

interface PendingNote {
  taskId: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * The task store (`results`) as the gateway uses it on the hot path: reserve, note queued, read status. Reserves
 * and reads are group commits over the `*.many.v1` RPCs, and notes ride in the reserves' batches, so N
 * concurrent submissions cost a few round trips, not 2N.
 * Errors per item come back as the single RPC's would (`RpcRemoteError`), a lost batch as `RpcTimeoutError`.
 */
@Injectable()
export class TaskStoreClient {
  private readonly creates: GroupCommit<TaskCreateMessage, TaskCreateReply>;
  private readonly statuses: GroupCommit<string, TaskStatusReply>;
  private notes: PendingNote[] = [];
  private notesAlone: NodeJS.Timeout | undefined;

  constructor(
    @Inject(RESULTS_RPC) private readonly results: RpcClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {
    this.creates = new GroupCommit(async (items) => {
      const notes = this.takeNotes();
      const request = notes.length > 0 ? { items, queued: notes.map(({ taskId }) => ({ task_id: taskId })) } : { items };
      try {
        const reply = await this.results.call(Patterns.taskCreateMany, request, this.options());
        for (const note of notes) note.resolve();
        return answers(reply);
      } catch (error) {
        for (const note of notes) note.reject(error);
        throw error;
      }
    }, GROUP_COMMIT);
    this.statuses = new GroupCommit(
      async (ids) => answers(await this.results.call(Patterns.taskStatusMany, { items: ids.map((task_id) => ({ task_id })) }, this.options())),
      GROUP_COMMIT,
    );
  }

  /** Reserves a task for the request, or answers the live task already holding its idempotency key. */
  create(message: TaskCreateMessage): Promise<TaskCreateReply> {
    return this.creates.submit(message);
  }

  /**
   * Notes that the task's message is confirmed by the broker: in the next create batch this gateway sends
   * (before its creates, so an identical submission finds the task queued), or alone if none goes soon.
   */
  markQueued(taskId: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.notes.push({ taskId, resolve, reject });
      this.notesAlone ??= setTimeout(() => this.sendNotesAlone(), NOTE_ALONE_AFTER_MS);
    });
  }

  /** The task, or null when unknown or expired. */
  status(taskId: string): Promise<TaskStatusReply> {
    return this.statuses.submit(taskId);
  }

  /** The oldest waiting notes, as many as one RPC may carry; the timer stays for any left over. */
  private takeNotes(): PendingNote[] {
    const notes = this.notes.splice(0, BATCH_RPC_MAX_ITEMS);
    if (this.notes.length === 0) {
      clearTimeout(this.notesAlone);
      this.notesAlone = undefined;
    }
    return notes;
  }

  /** The notes no create batch took: one `task.queued.many.v1` per RPC's worth. */
  private sendNotesAlone(): void {
    this.notesAlone = undefined;
    while (this.notes.length > 0) {
      const notes = this.notes.splice(0, BATCH_RPC_MAX_ITEMS);
      this.results.call(Patterns.taskQueuedMany, { items: notes.map(({ taskId }) => ({ task_id: taskId })) }, this.options()).then(
        () => notes.forEach((note) => note.resolve()),
        (error: unknown) => notes.forEach((note) => note.reject(error)),
      );
    }
  }

  private options(): { timeoutMs: number } {
    return { timeoutMs: this.config.RESULTS_RPC_TIMEOUT_MS };
  }
}

function answers<T>(reply: BatchRpcReply<T>): (T | Error)[] {
  return reply.items.map((item) => (item.ok ? item.value : new RpcRemoteError(item.error)));
}
