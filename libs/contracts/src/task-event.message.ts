import { IsInt, IsObject, IsString, IsUUID, MaxLength, Min } from 'class-validator';
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

/**
 * Why a task message was dead-lettered (header `mp-death-reason`, or the broker's own x-death reason).
 * There is no "failed" event: a task fails exactly when its message reaches the dead-letter exchange,
 * which `results` also consumes, so app-side and broker-side dead-lettering end the task the same way.
 */
export const DEAD_LETTER_REASONS = ['attempts_exhausted', 'invalid_message', 'permanent_error', 'delivery_limit', 'rejected', 'expired'] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];
