import { arrayMaxSize, isInt, isUUID, matches, max, min } from 'class-validator';
import { BATCH_RPC_MAX_ITEMS, BatchRpcMessage, TaskCreateManyMessage } from './batch-rpc.message.js';
import { isJsonObject, payloadShapeProblem } from './payload-shape.js';
import { PredictRequestDto } from './predict-request.dto.js';
import { IDEMPOTENCY_KEY_PATTERN, TaskCreateMessage, TaskQueuedMessage, TaskStatusMessage } from './task-rpc.message.js';
import { validateMessage } from './validate-message.js';

// `validateMessage(<task RPC message>, payload)`, faster. class-transformer plus class-validator cost 15–30 µs
// for a message of one UUID, several times per async task in `results`. A well-formed message is recognised by
// hand with class-validator's own checks; anything else (invalid, or unusual, such as an explicit null) goes
// through validateMessage, so it is refused with exactly the same problems. The spec fuzzes that property.

/** `task.status.v1` (and each item of `task.status.many.v1`). */
export function validateTaskStatus(payload: unknown): TaskStatusMessage {
  return wellFormedTaskRef(payload, TaskStatusMessage) ?? validateMessage(TaskStatusMessage, payload);
}

/** `task.queued.v1` (and each item of `task.queued.many.v1`). */
export function validateTaskQueued(payload: unknown): TaskQueuedMessage {
  return wellFormedTaskRef(payload, TaskQueuedMessage) ?? validateMessage(TaskQueuedMessage, payload);
}

/** `task.create.v1` (and each item of `task.create.many.v1`). */
export function validateTaskCreate(payload: unknown): TaskCreateMessage {
  return wellFormedTaskCreate(payload) ?? validateMessage(TaskCreateMessage, payload);
}

/** The envelope of a `*.many.v1` RPC; its items are validated one by one by the caller. */
export function validateBatchRpc(payload: unknown): BatchRpcMessage {
  return wellFormedBatchRpc(payload) ?? validateMessage(BatchRpcMessage, payload);
}

/** The envelope of `task.create.many.v1`: the items and the optional queued notes, each validated by the caller. */
export function validateTaskCreateMany(payload: unknown): TaskCreateManyMessage {
  return wellFormedTaskCreateMany(payload) ?? validateMessage(TaskCreateManyMessage, payload);
}

/** `{task_id}` with a valid UUID and nothing else, as an instance of `type`; else undefined. */
export function wellFormedTaskRef<T extends { task_id: string }>(payload: unknown, type: new () => T): T | undefined {
  if (!isJsonObject(payload)) return undefined;
  for (const key in payload) if (key !== 'task_id') return undefined;
  const taskId = payload.task_id;
  if (typeof taskId !== 'string' || !isUUID(taskId)) return undefined;
  const message = new type();
  message.task_id = taskId;
  return message;
}

/** A create whose request is `{match_id}` alone (what the gateway sends); a request with features is left to class-validator. */
export function wellFormedTaskCreate(payload: unknown): TaskCreateMessage | undefined {
  if (!isJsonObject(payload)) return undefined;
  for (const key in payload) if (key !== 'idempotency_key' && key !== 'request') return undefined;
  const { idempotency_key: key, request } = payload;
  if (typeof key !== 'string' || !matches(key, IDEMPOTENCY_KEY_PATTERN) || !isJsonObject(request)) return undefined;
  for (const field in request) if (field !== 'match_id') return undefined;
  const matchId = request.match_id;
  // The PredictRequestDto decorators: @IsInt @Min(1) @Max(Number.MAX_SAFE_INTEGER).
  if (!isInt(matchId) || !min(matchId, 1) || !max(matchId, Number.MAX_SAFE_INTEGER)) return undefined;
  const message = new TaskCreateMessage();
  message.idempotency_key = key;
  message.request = Object.assign(new PredictRequestDto(), { match_id: matchId as number });
  return message;
}

/**
 * Only arrays, plain objects and primitives, as JSON.parse makes them (the depth is already bounded): what
 * class-transformer's copy would leave equal to the original.
 */
function isPlainJsonTree(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (Array.isArray(value)) return value.every(isPlainJsonTree);
  return isJsonObject(value) && Object.values(value).every(isPlainJsonTree);
}

/** `{items: [...]}` within the size limit, with no unsafe shape anywhere in the items; else undefined. */
export function wellFormedBatchRpc(payload: unknown): BatchRpcMessage | undefined {
  if (!isJsonObject(payload)) return undefined;
  for (const key in payload) if (key !== 'items') return undefined;
  const items = wellFormedList(payload.items);
  if (!items || payloadShapeProblem(payload) !== null) return undefined;
  const message = new BatchRpcMessage();
  // class-transformer would copy the items; they are only read, and each is validated on its own.
  message.items = items;
  return message;
}

/** `{items: [...], queued?: [...]}`, both lists as `wellFormedBatchRpc` takes its items; else undefined. */
export function wellFormedTaskCreateMany(payload: unknown): TaskCreateManyMessage | undefined {
  if (!isJsonObject(payload)) return undefined;
  for (const key in payload) if (key !== 'items' && key !== 'queued') return undefined;
  const items = wellFormedList(payload.items);
  const queued = 'queued' in payload ? wellFormedList(payload.queued) : [];
  if (!items || !queued || payloadShapeProblem(payload) !== null) return undefined;
  const message = new TaskCreateManyMessage();
  message.items = items;
  if ('queued' in payload) message.queued = queued;
  return message;
}

/** A list within the size limit, only plain JSON inside; else undefined. */
function wellFormedList(list: unknown): unknown[] | undefined {
  if (!Array.isArray(list) || !arrayMaxSize(list, BATCH_RPC_MAX_ITEMS)) return undefined;
  return list.every(isPlainJsonTree) ? list : undefined;
}
