import { ArrayMaxSize, IsArray, IsOptional } from 'class-validator';
import type { RpcErrorPayload } from './rpc-error.js';

/** Most items one batch RPC may carry. */
export const BATCH_RPC_MAX_ITEMS = 512;

/**
 * `*.many.v1`: several requests of one pattern in one RPC (the gateway's group commit). Only the envelope is
 * checked here; each item is validated on its own against the single pattern's message, so one bad item is
 * answered with its own error and does not fail its neighbours.
 */
export class BatchRpcMessage {
  @IsArray()
  @ArrayMaxSize(BATCH_RPC_MAX_ITEMS)
  items!: unknown[];
}

/**
 * `task.create.many.v1`: the creates, and the gateway's queued notes (`{task_id}` each, as `task.queued.v1`)
 * that were waiting when they left. `results` applies the notes first, so a create for a key whose task was
 * just queued by this gateway finds it queued. A note is best effort: an invalid one is skipped and unanswered.
 */
export class TaskCreateManyMessage extends BatchRpcMessage {
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(BATCH_RPC_MAX_ITEMS)
  queued?: unknown[];
}

/** One item's answer: the single pattern's reply, or the error that pattern would have answered. */
export type BatchItemReply<T> = { ok: true; value: T } | { ok: false; error: RpcErrorPayload };

/** Answers in the order of the request's items. */
export interface BatchRpcReply<T> {
  items: BatchItemReply<T>[];
}
