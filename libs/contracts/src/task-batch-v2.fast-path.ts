import { arrayMaxSize, isInt, isString, isUUID, matches, max, maxLength, min } from 'class-validator';
import { CORRELATION_ID_PATTERN } from './correlation-id.js';
import { isJsonObject } from './payload-shape.js';
import { TASK_BATCH_MAX_TASKS } from './task-event.message.js';
import { BatchAttempt, FEATURES_SOURCES, ScoredAttempt, ScoringModel, TaskBatchV2Message } from './task-batch-v2.message.js';
import { validateMessage } from './validate-message.js';

/**
 * `validateMessage(TaskBatchV2Message, payload)`, faster: a well-formed batch is checked field by field with
 * class-validator's own checks and built directly; anything else goes through class-validator, so an invalid batch
 * is refused with exactly its problems.
 */
export function validateTaskBatchV2(payload: unknown): TaskBatchV2Message {
  return wellFormedTaskBatchV2(payload) ?? validateMessage(TaskBatchV2Message, payload);
}

const BATCH_FIELDS = new Set(['at', 'model', 'scored', 'unscored']);
const MODEL_FIELDS = new Set(['model_name', 'model_version', 'model_run_id', 'backend']);
const ATTEMPT_FIELDS = new Set(['task_id', 'attempt', 'correlation_id']);
const SCORED_FIELDS = new Set([...ATTEMPT_FIELDS, 'match_id', 'predicted_class', 'probabilities', 'features_source']);

/**
 * The batch exactly as `validateMessage` would return it when every field plainly passes the message's decorators;
 * undefined when not (invalid, or unusual enough to leave to class-validator, e.g. an explicit null). Never accepts
 * what `validateMessage` refuses: its spec checks that property over generated payloads.
 */
export function wellFormedTaskBatchV2(payload: unknown): TaskBatchV2Message | undefined {
  if (!isJsonObject(payload) || !hasOnlyFields(payload, BATCH_FIELDS)) return undefined;
  const { at, model, scored, unscored } = payload;
  if (!isString(at) || !isJsonObject(model) || !hasOnlyFields(model, MODEL_FIELDS)) return undefined;
  const { model_name, model_version, model_run_id, backend } = model;
  if (!text(model_name, 200) || !text(model_version, 200) || !text(model_run_id, 200) || !text(backend, 100)) return undefined;
  if (!Array.isArray(scored) || !arrayMaxSize(scored, TASK_BATCH_MAX_TASKS)) return undefined;
  if (!Array.isArray(unscored) || !arrayMaxSize(unscored, TASK_BATCH_MAX_TASKS)) return undefined;
  const batch = new TaskBatchV2Message();
  batch.at = at;
  batch.model = Object.assign(new ScoringModel(), { model_name, model_version, model_run_id, backend });
  batch.scored = [];
  for (const entry of scored as unknown[]) {
    if (!isJsonObject(entry) || !hasOnlyFields(entry, SCORED_FIELDS) || !plainAttempt(entry)) return undefined;
    const { match_id, predicted_class, probabilities, features_source } = entry;
    if (!isInt(match_id) || !min(match_id, 1) || !max(match_id, Number.MAX_SAFE_INTEGER)) return undefined;
    if (predicted_class !== 0 && predicted_class !== 1 && predicted_class !== 2) return undefined;
    if (!Array.isArray(probabilities) || probabilities.length !== 3 || !probabilities.every(Number.isFinite)) return undefined;
    if (!(FEATURES_SOURCES as readonly unknown[]).includes(features_source)) return undefined;
    batch.scored.push(Object.assign(new ScoredAttempt(), entry));
  }
  batch.unscored = [];
  for (const entry of unscored as unknown[]) {
    if (!isJsonObject(entry) || !hasOnlyFields(entry, ATTEMPT_FIELDS) || !plainAttempt(entry)) return undefined;
    batch.unscored.push(Object.assign(new BatchAttempt(), entry));
  }
  return batch;
}

function text(value: unknown, maxChars: number): boolean {
  return isString(value) && maxLength(value, maxChars);
}

/** The BatchAttempt decorators; a missing required field fails its check. */
function plainAttempt({ task_id, attempt, correlation_id }: Record<string, unknown>): boolean {
  return (
    isUUID(task_id) &&
    isInt(attempt) &&
    min(attempt, 1) &&
    // @IsOptional counts null as absent; the fast path leaves that to class-validator.
    (correlation_id === undefined || (typeof correlation_id === 'string' && matches(correlation_id, CORRELATION_ID_PATTERN)))
  );
}

/** No field but these (forbidNonWhitelisted); whether the required ones are there is each field's check. */
function hasOnlyFields(value: Record<string, unknown>, fields: ReadonlySet<string>): boolean {
  for (const key in value) if (!fields.has(key)) return false;
  return true;
}
