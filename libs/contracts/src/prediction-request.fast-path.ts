import { isInt, isUUID, max, min } from 'class-validator';
import { featureMapProblem } from './feature-map.validator.js';
import { isJsonObject, isPrototypeKey } from './payload-shape.js';
import { PredictionRequestMessage } from './prediction-request.message.js';
import { validateMessage } from './validate-message.js';

/**
 * `validateMessage(PredictionRequestMessage, payload)`, faster: a well-formed message skips class-transformer
 * and class-validator; anything else gets exactly their verdict, and an invalid message the same problems.
 */
export function validatePredictionRequest(payload: unknown): PredictionRequestMessage {
  return wellFormedPredictionRequest(payload) ?? validateMessage(PredictionRequestMessage, payload);
}

/**
 * The common well-formed PredictionRequestMessage, recognised by hand: the same instance validateMessage
 * would return, or undefined whenever the payload is anything else (including valid but unusual forms, such
 * as an explicit null). It must never accept what validateMessage refuses; the spec checks that by fuzzing.
 * Why: class-transformer and class-validator cost ~15 µs per message, a sizeable share of an async task.
 */
export function wellFormedPredictionRequest(payload: unknown): PredictionRequestMessage | undefined {
  if (!isJsonObject(payload)) return undefined;
  const message = new PredictionRequestMessage();
  let hasMatchId = false;
  for (const key of Object.keys(payload)) {
    const value = payload[key];
    switch (key) {
      case 'match_id':
        // The decorators' own checks: @IsInt @Min(1) @Max(Number.MAX_SAFE_INTEGER).
        if (!isInt(value) || !min(value, 1) || !max(value, Number.MAX_SAFE_INTEGER)) return undefined;
        message.match_id = value as number;
        hasMatchId = true;
        break;
      case 'task_id':
        // @IsOptional counts null as absent; the fast path leaves that to class-validator.
        if (typeof value !== 'string' || !isUUID(value)) return undefined;
        message.task_id = value;
        break;
      case 'deadline_at':
        if (!isInt(value) || !min(value, 0)) return undefined;
        message.deadline_at = value as number;
        break;
      case 'features': {
        const features = copyOfFeatureMap(value);
        if (!features) return undefined;
        message.features = features;
        break;
      }
      default:
        return undefined;
    }
  }
  return hasMatchId ? message : undefined;
}

/** A fresh copy (as class-transformer makes) of a valid feature map with no prototype key, else undefined. */
function copyOfFeatureMap(value: unknown): Record<string, number | null> | undefined {
  if (!isJsonObject(value) || featureMapProblem(value) !== null) return undefined;
  const copy: Record<string, number | null> = {};
  for (const key of Object.keys(value)) {
    if (isPrototypeKey(key)) return undefined;
    copy[key] = value[key] as number | null;
  }
  return copy;
}
