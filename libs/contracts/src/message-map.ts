import type { BatchRpcReply } from './batch-rpc.message.js';
import type { ServingModelInfo } from './model-info.js';
import type { Prediction } from './prediction.js';
import type { PredictionRequestMessage } from './prediction-request.message.js';
import type { PredictorHeartbeatMessage } from './predictor-heartbeat.message.js';
import { Patterns } from './patterns.js';
import type { TaskBatchV2Message } from './task-batch-v2.message.js';
import type { TaskSettledMessage } from './task-settled.message.js';
import type { TaskBundleMessage } from './task-bundle.message.js';
import type {
  TaskBatchMessage,
  TaskRetryingMessage,
  TaskStartedMessage,
  TaskSucceededMessage,
} from './task-event.message.js';
import type {
  TaskAbandonMessage,
  TaskAbandonReply,
  TaskCreateMessage,
  TaskCreateReply,
  TaskQueuedMessage,
  TaskQueuedReply,
  TaskReplayMessage,
  TaskReplayReply,
  TaskStatusMessage,
  TaskStatusReply,
} from './task-rpc.message.js';

/** Request/reply patterns: a producer/consumer payload mismatch is a compile error. */
export interface RpcMap {
  [Patterns.predict]: { request: PredictionRequestMessage; reply: Prediction };
  [Patterns.modelInfo]: { request: Record<string, never>; reply: ServingModelInfo };
  [Patterns.taskCreate]: { request: TaskCreateMessage; reply: TaskCreateReply };
  [Patterns.taskStatus]: { request: TaskStatusMessage; reply: TaskStatusReply };
  [Patterns.taskAbandon]: { request: TaskAbandonMessage; reply: TaskAbandonReply };
  [Patterns.taskQueued]: { request: TaskQueuedMessage; reply: TaskQueuedReply };
  [Patterns.taskReplay]: { request: TaskReplayMessage; reply: TaskReplayReply };
  [Patterns.taskCreateMany]: { request: { items: TaskCreateMessage[]; queued?: TaskQueuedMessage[] }; reply: BatchRpcReply<TaskCreateReply> };
  [Patterns.taskStatusMany]: { request: { items: TaskStatusMessage[] }; reply: BatchRpcReply<TaskStatusReply> };
  [Patterns.taskQueuedMany]: { request: { items: TaskQueuedMessage[] }; reply: BatchRpcReply<TaskQueuedReply> };
}

/** Fire-and-forget patterns (persistent and confirmed, but the heartbeat and the settled notice: transient, expiring). */
export interface EventMap {
  [Patterns.predictTask]: PredictionRequestMessage;
  [Patterns.predictTaskBundle]: TaskBundleMessage;
  [Patterns.taskStarted]: TaskStartedMessage;
  [Patterns.taskRetrying]: TaskRetryingMessage;
  [Patterns.taskSucceeded]: TaskSucceededMessage;
  [Patterns.taskBatch]: TaskBatchMessage;
  [Patterns.taskBatchV2]: TaskBatchV2Message;
  [Patterns.predictorHeartbeat]: PredictorHeartbeatMessage;
  [Patterns.taskSettled]: TaskSettledMessage;
}

export type RpcPattern = keyof RpcMap;
export type EventPatternName = keyof EventMap;
