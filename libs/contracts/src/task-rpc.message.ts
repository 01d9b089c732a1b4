import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsNotEmpty, IsString, IsUUID, Matches, MaxLength, ValidateNested } from 'class-validator';
import { PredictRequestDto } from './predict-request.dto.js';
import type { TaskState, TaskView } from './task-state.js';

/** Idempotency keys: our sha256 of the request, or a client's `Idempotency-Key` header (namespaced). */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9:_.-]{1,200}$/;

/** `task.create.v1`: reserve a task id for a request, or return the one already live for the same key. */
export class TaskCreateMessage {
  @IsString()
  @Matches(IDEMPOTENCY_KEY_PATTERN)
  idempotency_key!: string;

  @ValidateNested()
  @Type(() => PredictRequestDto)
  request!: PredictRequestDto;
}

export interface TaskCreateReply {
  task_id: string;
  /** false when an earlier pending or successful task with the same key was returned instead. */
  created: boolean;
  status: TaskState;
  /**
   * Whether the task's message is known to be on the broker. A reservation whose publish never happened
   * (the submitter crashed or gave up) is false: whoever gets it must publish the task message.
   */
  queued: boolean;
  /** When `results` created the task (set when `created`): with the request, the whole pending view. */
  submitted_at?: string;
}

/** `task.status.v1` */
export class TaskStatusMessage {
  @IsUUID()
  task_id!: string;
}

/** null: unknown or expired. */
export type TaskStatusReply = TaskView | null;

/** `task.abandon.v1`: the gateway could not queue a task it had created; forget it and its key. */
export class TaskAbandonMessage {
  @IsUUID()
  task_id!: string;

  @IsString()
  @Matches(IDEMPOTENCY_KEY_PATTERN)
  idempotency_key!: string;

  @IsString()
  @MaxLength(500)
  reason!: string;
}

export interface TaskAbandonReply {
  abandoned: boolean;
}

/** `task.queued.v1`: the task's message is confirmed by the broker; identical submissions need not publish it. */
export class TaskQueuedMessage {
  @IsUUID()
  task_id!: string;
}

export interface TaskQueuedReply {
  /** false when the task does not exist (expired or abandoned). */
  marked: boolean;
}

/**
 * `task.replay.v1` (admin): reopen a failed task before its dead-lettered message is published again, so the
 * replayed run's events apply. The one exception to "never backwards", and only from `failure`.
 */
export class TaskReplayMessage {
  @IsUUID()
  task_id!: string;

  /** Why (logged by `results`), e.g. "fixed in predictor 1.4.2". */
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason!: string;
}

export interface TaskReplayReply {
  /** true when the task was `failure` and is now `pending` (attempts 0); false otherwise, nothing written. */
  reopened: boolean;
  /** The status before the call; null when the task does not exist (unknown or expired; never recreated). */
  previous_status: TaskState | null;
}
