import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';

/** Bounds on a feature map: enough for any sane model signature, small enough to refuse abuse. */
export const FEATURE_LIMITS = { maxKeys: 256, maxKeyLength: 64 } as const;
const FEATURE_NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Explains why `value` is not a valid feature map, or returns null when it is. */
export function featureMapProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'features must be an object of {name: number | null}';
  }
  const keys = Object.keys(value);
  if (keys.length > FEATURE_LIMITS.maxKeys) return `features has ${keys.length} keys; at most ${FEATURE_LIMITS.maxKeys}`;
  for (const key of keys) {
    if (FORBIDDEN_KEYS.has(key) || key.length > FEATURE_LIMITS.maxKeyLength || !FEATURE_NAME.test(key)) {
      return `features has an invalid name: ${JSON.stringify(key.slice(0, FEATURE_LIMITS.maxKeyLength))}`;
    }
    if (!isFeatureValue((value as Record<string, unknown>)[key])) return `features.${key} must be a finite number or null`;
  }
  return null;
}

/** What a feature map may hold for a name: a finite number, or null for "unknown". */
export function isFeatureValue(value: unknown): boolean {
  return value === null || (typeof value === 'number' && Number.isFinite(value));
}

/** class-validator decorator for `{name: number | null}` maps. */
export function IsFeatureMap(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isFeatureMap',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => featureMapProblem(value) === null,
        defaultMessage: (args?: ValidationArguments) => featureMapProblem(args?.value) ?? 'invalid features',
      },
    });
  };
}

/** Names a request has that a model signature lacks, and names the signature needs that the request lacks. */
export function featureMismatch(signature: readonly string[], given: Record<string, unknown>): { unknown: string[]; missing: string[] } {
  if (hasTheNamesInOrder(signature, given)) return { unknown: [], missing: [] };
  const expected = new Set(signature);
  return {
    unknown: Object.keys(given).filter((k) => !expected.has(k)).sort(),
    missing: signature.filter((k) => !Object.hasOwn(given, k)).sort(),
  };
}

/** The usual case, decided without building a set or a list: `given`'s own keys are the signature, in order. */
function hasTheNamesInOrder(signature: readonly string[], given: Record<string, unknown>): boolean {
  // Object.keys, not for...in: a fast object caches its key list, and copying it is cheaper (measured).
  const keys = Object.keys(given);
  if (keys.length !== signature.length) return false;
  for (let i = 0; i < keys.length; i++) if (keys[i] !== signature[i]) return false;
  return true;
}
