import { isInt, isUUID, max, min } from 'class-validator';
import { featureMapProblem, isFeatureValue } from './feature-map.validator.js';
import { isJsonObject, isPrototypeKey } from './payload-shape.js';
import { PredictRequestDto } from './predict-request.dto.js';
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
  return wellFormed(payload, PredictionRequestMessage, true);
}

/**
 * `validateMessage(PredictRequestDto, payload)`, faster: the body of `POST /predict/` and `POST /predict/async/`
 * (the request without the broker-only `task_id` and `deadline_at`), with the same guarantees.
 */
export function validatePredictRequest(payload: unknown): PredictRequestDto {
  return wellFormedPredictRequest(payload) ?? validateMessage(PredictRequestDto, payload);
}

/** The common well-formed PredictRequestDto, as validateMessage would return it; else undefined. */
export function wellFormedPredictRequest(payload: unknown): PredictRequestDto | undefined {
  return wellFormed(payload, PredictRequestDto, false);
}

function wellFormed<T extends PredictRequestDto & Partial<Pick<PredictionRequestMessage, 'task_id' | 'deadline_at'>>>(
  payload: unknown,
  type: new () => T,
  brokerFields: boolean,
): T | undefined {
  if (!isJsonObject(payload)) return undefined;
  const message = new type();
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
        if (!brokerFields || typeof value !== 'string' || !isUUID(value)) return undefined;
        message.task_id = value;
        break;
      case 'deadline_at':
        if (!brokerFields || !isInt(value) || !min(value, 0)) return undefined;
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

/**
 * The names of the last feature map found valid, in order. The tasks of a stream carry the same names in the
 * same order, so a map with exactly these names needs only its values checked: comparing a name is a pointer
 * comparison (JSON.parse internalises keys), where checking one costs a pattern match and set lookups.
 */
let lastValidNames: readonly string[] = [];

/** A fresh copy (as class-transformer makes) of a valid feature map with no prototype key, else undefined. */
function copyOfFeatureMap(value: unknown): Record<string, number | null> | undefined {
  // A spread copies own symbol keys, which class-transformer drops: such (non-JSON) maps are left to it.
  if (!isJsonObject(value) || Object.getOwnPropertySymbols(value).length > 0) return undefined;
  // A spread of a JSON object is a cheap clone of its layout; the checks read the copy, the object returned.
  const copy: Record<string, unknown> = { ...value };
  if (!hasNamesAndFeatureValues(copy, lastValidNames)) {
    if (featureMapProblem(copy) !== null) return undefined;
    const names = Object.keys(copy);
    if (names.some(isPrototypeKey)) return undefined;
    lastValidNames = names;
  }
  return copy as Record<string, number | null>;
}

/** Whether `map`'s own enumerable keys are `names`, in order, each with a feature value (false: look closer). */
function hasNamesAndFeatureValues(map: Record<string, unknown>, names: readonly string[]): boolean {
  let count = 0;
  for (const name in map) {
    if (name !== names[count++] || !isFeatureValue(map[name])) return false;
  }
  // for...in yields own keys first, then inherited enumerable ones: if the last key seen is own, all were.
  return count === names.length && (count === 0 || Object.hasOwn(map, names[count - 1]!));
}
