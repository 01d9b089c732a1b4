/** Deeper than any payload of these contracts needs (`{request: {features: {name: number}}}` is depth 3). */
export const MAX_PAYLOAD_DEPTH = 8;
/**
 * Keys that name an object's prototype machinery, refused anywhere in a payload at any depth: `__proto__`,
 * `prototype`, and every member of Object.prototype (`constructor`, `valueOf`, `toString`, ...). The
 * transformer skips a key whose name is an inherited function, so such a field would otherwise slip past the
 * unknown-field check unseen (found by the fuzz suite with `{"match_id":1,"valueOf":""}`).
 */
const PROTOTYPE_KEYS = new Set(['__proto__', 'prototype', ...Object.getOwnPropertyNames(Object.prototype)]);

/**
 * A plain JSON object, as JSON.parse makes it. Anything more exotic (arrays, class instances, objects without a
 * prototype) the fast paths leave to class-transformer and class-validator.
 */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** Whether `key` names prototype machinery (see PROTOTYPE_KEYS): refused anywhere in a payload. */
export function isPrototypeKey(key: string): boolean {
  return PROTOTYPE_KEYS.has(key);
}

/**
 * Why a parsed JSON payload is unsafe to hand to class-transformer, or null. Iterative, so there is no
 * stack to overflow: deep nesting overflows the recursive transformer, and prototype keys make it throw a
 * TypeError (both found by the fuzz suite).
 */
export function payloadShapeProblem(payload: unknown, maxDepth = MAX_PAYLOAD_DEPTH): string | null {
  const stack: { value: unknown; depth: number; path: string }[] = [{ value: payload, depth: 0, path: '' }];
  while (stack.length > 0) {
    const { value, depth, path } = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= maxDepth) return `${path || 'payload'}: nested deeper than ${maxDepth} levels`;
    for (const key of Object.keys(value)) {
      const at = Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      if (!Array.isArray(value) && isPrototypeKey(key)) return `${at.slice(0, 200)}: property name not allowed`;
      stack.push({ value: (value as Record<string, unknown>)[key], depth: depth + 1, path: at.length > 200 ? at.slice(0, 200) : at });
    }
  }
  return null;
}
