import 'reflect-metadata';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsObject, IsOptional, IsUUID, ValidateNested } from 'class-validator';
import { TASK_STATES, type TaskState, type TaskView } from './task-state.js';

/** The states a settled task can be in: the terminal ones. */
export const SETTLED_STATES = ['success', 'failure'] as const satisfies readonly TaskState[];
export type SettledState = (typeof SETTLED_STATES)[number];

/** Most tasks one settled notice may name (results sends one per batch of writes it applied). */
export const TASK_SETTLED_MAX_TASKS = 4096;

export class SettledTask {
  @IsUUID()
  task_id!: string;

  /** The task's state now: terminal for a settled task, any other after a retry or a replay. */
  @IsIn(TASK_STATES)
  status!: TaskState;

  /**
   * The task as `results` has just written it (what the status RPC would answer right now). Absent when
   * `results` does not know it (a replay reopened the task): a reader must then ask the status RPC.
   */
  @IsOptional()
  @IsObject()
  record?: TaskView;
}

/**
 * `task.settled.v1`: `results` has just written these tasks' state: a terminal one, a retry, or (replay) pending
 * again. A transient notice on the fanout exchange `tasks.settled`: a gateway holding a long-poll answers it
 * with the record at once, and a gateway's view cache (ADR 0011) follows the tasks it accepted. Best effort: a
 * lost notice is made up for by rechecks through the status RPC, so it costs latency or a bounded staleness
 * (STATUS_CACHE_FRESH_MS), never a wrong terminal answer.
 */
export class TaskSettledMessage {
  @IsArray()
  @ArrayMaxSize(TASK_SETTLED_MAX_TASKS)
  @ValidateNested({ each: true })
  @Type(() => SettledTask)
  tasks!: SettledTask[];
}
