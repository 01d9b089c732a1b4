/**
 * Versioned message patterns: the public RabbitMQ contract between the apps and any other service in a
 * user's estate. A breaking change to a payload gets a new version suffix, never an edit in place.
 */
export const Patterns = {
  /** Sync inference RPC on the interactive queue (request/reply over direct reply-to). */
  predict: 'prediction.predict.v1',
  /** Async inference task on the `ml` work queue (fire-and-forget, persistent, confirmed). */
  predictTask: 'prediction.task.v1',
  /** Several async tasks in one work-queue message (ADR 0012): what a gateway accepted in one turn of its loop. */
  predictTaskBundle: 'prediction.task-bundle.v1',
  /** Serving-model metadata RPC, answered by any predictor. */
  modelInfo: 'model.info.v1',
  /** Task-state RPCs, answered by `results` (the only owner of task state). */
  taskCreate: 'task.create.v1',
  taskStatus: 'task.status.v1',
  taskAbandon: 'task.abandon.v1',
  /** The gateway's note that a task's message is safely on the broker (after the publish confirm). */
  taskQueued: 'task.queued.v1',
  /** The same three, many at once: `{items: [...]}` answered `{items: [{ok, value | error}]}` in order. */
  taskCreateMany: 'task.create.many.v1',
  taskStatusMany: 'task.status.many.v1',
  taskQueuedMany: 'task.queued.many.v1',
  /** Admin: reopen a failed task (failure → pending) before its dead-lettered message is replayed. */
  taskReplay: 'task.replay.v1',
  /** Task lifecycle events, predictor → results. Failure arrives through the dead-letter exchange. */
  taskStarted: 'task.started.v1',
  taskRetrying: 'task.retrying.v1',
  taskSucceeded: 'task.succeeded.v1',
  /** The started and succeeded attempts of one predictor batch, in one message (what earlier predictors send). */
  taskBatch: 'task.batch.v1',
  /** The same, about a third of the bytes: the model named once per batch, successes imply their start. */
  taskBatchV2: 'task.batch.v2',
  /** Results → gateways: these tasks just reached success or failure (transient, on the `tasks.settled` fanout). */
  taskSettled: 'task.settled.v1',
  /** Predictor presence: a heartbeat on the `predictors.presence` fanout exchange (transient). */
  predictorHeartbeat: 'predictor.heartbeat.v1',
} as const;

export type Pattern = (typeof Patterns)[keyof typeof Patterns];
