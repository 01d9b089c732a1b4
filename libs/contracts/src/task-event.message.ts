import 'reflect-metadata';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsObject, IsOptional, IsString, IsUUID, Matches, MaxLength, Min, ValidateNested } from 'class-validator';
import { CORRELATION_ID_PATTERN } from './correlation-id.js';
import type { Prediction } from './prediction.js';

/** Common part of every task lifecycle event, predictor → results. */
export class TaskEventMessage {
  @IsUUID()
  task_id!: string;

  /** 1-based attempt number that produced the event. */
  @IsInt()
  @Min(1)
  attempt!: number;

  @IsString()
  at!: string;

  /** The id of the HTTP request that caused the task (`X-Correlation-Id`), so its log lines can be joined up. */
  @IsOptional()
  @Matches(CORRELATION_ID_PATTERN)
  correlation_id?: string;
}

export class TaskStartedMessage extends TaskEventMessage {}


export class TaskRetryingMessage extends TaskEventMessage {
  @IsString()
  @MaxLength(2000)
  error!: string;

  @IsInt()
  @Min(0)
  retry_in_ms!: number;
}

export class TaskSucceededMessage extends TaskEventMessage {
  @IsObject()
  result!: Prediction;
}

/** Most tasks one batch event may carry (a predictor batch is at most BATCH_MAX_SIZE, which its config caps at this). */
export const TASK_BATCH_MAX_TASKS = 1024;

/**
 * The outcome of one predictor batch in one message: the attempts that started and the ones that succeeded.
 * One confirmed publish (and one queue entry) per batch instead of two per task is what lets batching pay
 * off end to end, not only in the model call. `results` applies `started` before `succeeded`.
 */
export class TaskBatchMessage {
  @IsArray()
  @ArrayMaxSize(TASK_BATCH_MAX_TASKS)
  @ValidateNested({ each: true })
  @Type(() => TaskStartedMessage)
  started!: TaskStartedMessage[];

  @IsArray()
  @ArrayMaxSize(TASK_BATCH_MAX_TASKS)
  @ValidateNested({ each: true })
  @Type(() => TaskSucceededMessage)
  succeeded!: TaskSucceededMessage[];
}

/**
 * Why a task message was dead-lettered (header `mp-death-reason`, or the broker's own x-death reason).
 * There is no "failed" event: a task fails exactly when its message reaches the dead-letter exchange,
 * which `results` also consumes, so app-side and broker-side dead-lettering end the task the same way.
 */
export const DEAD_LETTER_REASONS = ['attempts_exhausted', 'invalid_message', 'permanent_error', 'delivery_limit', 'rejected', 'expired'] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];
