import { MessageValidationError } from './validate-message.js';
import type { PredictionRequestMessage } from './prediction-request.message.js';

/**
 * Most tasks one bundle carries. A predictor's prefetch counts messages, so this also bounds how many tasks one
 * predictor may hold unacked (prefetch × this): what a crash sends back, and what a graceful stop must finish.
 */
export const TASK_BUNDLE_MAX_TASKS = 64;

/**
 * One task of a bundle: what `prediction.task.v1` carries as its data, plus the correlation id the single
 * message would carry in its header.
 */
export interface BundledTask extends PredictionRequestMessage {
  task_id: string;
  correlation_id?: string;
}

/**
 * `prediction.task-bundle.v1`, on the `ml` work queue: the async tasks one gateway accepted in one turn of its
 * event loop, in one persistent, confirmed message (ADR 0012). A predictor scores each task as if it had come
 * alone: each has its own attempt, retry and dead letter, as a single `prediction.task.v1` message. A bundle
 * delivered again (its predictor died holding it) is first split into single messages, so that a task that
 * kills its predictor fails alone.
 */
export interface TaskBundleMessage {
  tasks: BundledTask[];
}

/**
 * The task list of a bundle's data, each entry still to be validated as a single task message; a
 * `MessageValidationError` when the envelope itself is wrong (then no task in it can be trusted).
 */
export function readTaskBundle(data: unknown): unknown[] | MessageValidationError {
  const tasks = typeof data === 'object' && data !== null ? (data as { tasks?: unknown }).tasks : undefined;
  if (!Array.isArray(tasks)) return new MessageValidationError(['tasks must be an array']);
  if (tasks.length === 0 || tasks.length > TASK_BUNDLE_MAX_TASKS) {
    return new MessageValidationError([`tasks must hold 1 to ${TASK_BUNDLE_MAX_TASKS} tasks, not ${tasks.length}`]);
  }
  return tasks as unknown[];
}
