import 'reflect-metadata';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsUUID, ValidateNested } from 'class-validator';
import type { TaskState } from './task-state.js';

/** The states a settled task can be in: the terminal ones. */
export const SETTLED_STATES = ['success', 'failure'] as const satisfies readonly TaskState[];
export type SettledState = (typeof SETTLED_STATES)[number];

/** Most tasks one settled notice may name (results sends one per batch of writes it applied). */
export const TASK_SETTLED_MAX_TASKS = 4096;

export class SettledTask {
  @IsUUID()
  task_id!: string;

  @IsIn(SETTLED_STATES)
  status!: SettledState;
}

/**
 * `task.settled.v1`: `results` has just written these tasks' terminal state. A transient hint on the fanout
 * exchange `tasks.settled`, so that a gateway holding a long-poll (`?wait_ms=`) re-reads the task at once
 * instead of at its next recheck. It carries no result: the status RPC stays the one way to read a task.
 */
export class TaskSettledMessage {
  @IsArray()
  @ArrayMaxSize(TASK_SETTLED_MAX_TASKS)
  @ValidateNested({ each: true })
  @Type(() => SettledTask)
  tasks!: SettledTask[];
}
