import type { Prediction } from './prediction.js';

/** Task lifecycle. The numeric rank makes "never move backwards" a comparison. */
export const TASK_STATES = ['pending', 'started', 'retry', 'success', 'failure'] as const;
export type TaskState = (typeof TASK_STATES)[number];
export const TERMINAL_STATES: ReadonlySet<TaskState> = new Set(['success', 'failure']);

/** What `results` stores and what status callers see. */
export interface TaskView {
  task_id: string;
  status: TaskState;
  match_id: number;
  attempts: number;
  submitted_at: string;
  updated_at: string;
  result?: Prediction;
  error?: string;
}
