import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { CORRELATION_ID_PATTERN } from './correlation-id.js';
import { OUTCOMES, type OutcomeClass } from './outcome.js';
import type { Prediction } from './prediction.js';
import { TASK_BATCH_MAX_TASKS, TaskBatchMessage, TaskStartedMessage, TaskSucceededMessage } from './task-event.message.js';

/** The serving model that scored a batch: named once per message, not once per task as in `task.batch.v1`. */
export class ScoringModel {
  @IsString()
  @MaxLength(200)
  model_name!: string;

  @IsString()
  @MaxLength(200)
  model_version!: string;

  @IsString()
  @MaxLength(200)
  model_run_id!: string;

  @IsString()
  @MaxLength(100)
  backend!: string;
}

/** One attempt of one task in a batch; the batch's `at` is its time. */
export class BatchAttempt {
  @IsUUID()
  task_id!: string;

  @IsInt()
  @Min(1)
  attempt!: number;

  @IsOptional()
  @Matches(CORRELATION_ID_PATTERN)
  correlation_id?: string;
}

export const FEATURES_SOURCES = ['inline', 'history'] as const satisfies readonly Prediction['features_source'][];

/** An attempt that was scored: the per-task part of its prediction. */
export class ScoredAttempt extends BatchAttempt {
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  match_id!: number;

  @IsIn([0, 1, 2])
  predicted_class!: OutcomeClass;

  /** Home win, draw, away win (the class index order). */
  @IsArray()
  @ArrayMinSize(3)
  @ArrayMaxSize(3)
  @IsNumber({ allowNaN: false, allowInfinity: false }, { each: true })
  probabilities!: number[];

  @IsIn(FEATURES_SOURCES)
  features_source!: Prediction['features_source'];
}

/**
 * `task.batch.v2`: the outcome of one predictor batch, about a third of the bytes of `task.batch.v1`, which repeats
 * every started attempt and the model's four fields and the outcome label in every success. Same meaning: each
 * attempt listed started; the scored ones succeeded; the unscored ones failed (their retry or dead letter follows).
 * `results` applies it exactly as the v1 message it expands to (`expandTaskBatchV2`).
 */
export class TaskBatchV2Message {
  @IsString()
  at!: string;

  @ValidateNested()
  @Type(() => ScoringModel)
  model!: ScoringModel;

  @IsArray()
  @ArrayMaxSize(TASK_BATCH_MAX_TASKS)
  @ValidateNested({ each: true })
  @Type(() => ScoredAttempt)
  scored!: ScoredAttempt[];

  @IsArray()
  @ArrayMaxSize(TASK_BATCH_MAX_TASKS)
  @ValidateNested({ each: true })
  @Type(() => BatchAttempt)
  unscored!: BatchAttempt[];
}

/** A prediction of the batch with the attempt it answers. */
export interface ScoredPrediction {
  attempt: BatchAttempt;
  result: Prediction;
}

/**
 * The v2 message for a batch, or null when its predictions do not all come from one model (the predictor scores a
 * batch with one model, so this is a guard, not a path): the caller then sends `task.batch.v1`.
 */
export function taskBatchV2Of(at: string, scored: readonly ScoredPrediction[], unscored: readonly BatchAttempt[]): TaskBatchV2Message | null {
  const first = scored[0]?.result;
  const model: ScoringModel = first
    ? { model_name: first.model_name, model_version: first.model_version, model_run_id: first.model_run_id, backend: first.backend }
    : { model_name: '', model_version: '', model_run_id: '', backend: '' };
  const entries: ScoredAttempt[] = new Array<ScoredAttempt>(scored.length);
  for (let i = 0; i < scored.length; i += 1) {
    const { attempt, result } = scored[i]!;
    if (
      result.model_name !== model.model_name ||
      result.model_version !== model.model_version ||
      result.model_run_id !== model.model_run_id ||
      result.backend !== model.backend
    ) {
      return null;
    }
    const p = result.probabilities;
    // Object.assign, not spreads: a spread per task costs microseconds at batch rates.
    entries[i] = Object.assign(attemptOnly(attempt), {
      match_id: result.match_id,
      predicted_class: result.predicted_class,
      probabilities: [p['0'], p['1'], p['2']],
      features_source: result.features_source,
    });
  }
  return { at, model, scored: entries, unscored: unscored.map(attemptOnly) };
}

/** The same batch as `task.batch.v1`: every attempt started (in message order), the scored ones with their full prediction. */
export function expandTaskBatchV2(batch: TaskBatchV2Message): TaskBatchMessage {
  const { at, model } = batch;
  const expanded = new TaskBatchMessage();
  expanded.started = [];
  expanded.succeeded = [];
  for (const s of batch.scored) {
    expanded.started.push(Object.assign(new TaskStartedMessage(), attemptOnly(s), { at }));
    const [home = 0, draw = 0, away = 0] = s.probabilities;
    const result: Prediction = {
      match_id: s.match_id,
      predicted_class: s.predicted_class,
      probabilities: { '0': home, '1': draw, '2': away },
      model_version: model.model_version,
      model_run_id: model.model_run_id,
      predicted_outcome: OUTCOMES[s.predicted_class],
      model_name: model.model_name,
      features_source: s.features_source,
      backend: model.backend,
    };
    expanded.succeeded.push(Object.assign(new TaskSucceededMessage(), attemptOnly(s), { result, at }));
  }
  for (const u of batch.unscored) expanded.started.push(Object.assign(new TaskStartedMessage(), attemptOnly(u), { at }));
  return expanded;
}

/** The attempt's own fields, without `correlation_id` when it has none (a fresh object: callers add to it). */
function attemptOnly(a: BatchAttempt): BatchAttempt {
  const copy: BatchAttempt = { task_id: a.task_id, attempt: a.attempt };
  if (a.correlation_id !== undefined && a.correlation_id !== null) copy.correlation_id = a.correlation_id;
  return copy;
}
