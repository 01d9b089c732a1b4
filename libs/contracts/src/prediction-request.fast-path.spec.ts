import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FEATURE_LIMITS } from './feature-map.validator.js';
import { validatePredictionRequest, validatePredictRequest, wellFormedPredictionRequest, wellFormedPredictRequest } from './prediction-request.fast-path.js';
import { PredictRequestDto } from './predict-request.dto.js';
import { PredictionRequestMessage } from './prediction-request.message.js';
import { validateMessage } from './validate-message.js';
import { assertAgreesWithClassValidator, validationOutcome } from './testing/fast-path-property.js';
import { anyJson, mostly, rarely, viaJson, withField } from './testing/near-valid.arbitraries.js';

const TASK = '6f1c3a52-3c1e-4b7a-9a55-0d6f2f3b9c11';
const FEATURES = { elo_diff: 12.5, home_ppg_5: null, 'away.ppg-5': -1 };

const byClassValidator = (payload: unknown) => validateMessage(PredictionRequestMessage, payload);

// --- Generators: messages close to valid, each field either valid or wrong in a way that matters ---------


const matchId = mostly(
  fc.integer({ min: 1, max: 1_000_000 }),
  fc.constantFrom(0, -1, 1.5, -0, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, 2 ** 60, Number.NaN, Infinity, '5', true, null),
  anyJson,
);
const taskId = mostly(
  fc.uuid(),
  fc.constantFrom('not-a-uuid', '', TASK.toUpperCase(), `{${TASK}}`, '00000000-0000-0000-0000-000000000000', `${TASK} `, null),
  anyJson,
);
const deadlineAt = mostly(
  fc.integer({ min: 0, max: 2 ** 48 }),
  fc.constantFrom(-1, -0, 0.5, 1e300, Infinity, Number.NaN, '1', null),
  anyJson,
);
const featureName = mostly(
  fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,10}$/),
  fc.constantFrom('', '1a', 'a b', 'é', 'x'.repeat(FEATURE_LIMITS.maxKeyLength), 'x'.repeat(FEATURE_LIMITS.maxKeyLength + 1)),
  // Valid names by the feature rule that name prototype machinery.
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf'),
);
const featureValue = mostly(
  fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(null), fc.integer()),
  fc.constantFrom(Number.NaN, Infinity, -Infinity, '1', true, [], {}),
  anyJson,
);
const manyFeatures = fc.integer({ min: FEATURE_LIMITS.maxKeys - 1, max: FEATURE_LIMITS.maxKeys + 1 }).map((n) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, i])),
);
const features = mostly(
  fc.array(fc.tuple(featureName, featureValue), { maxLength: 6 }).map((entries) => {
    const map: Record<string, unknown> = {};
    for (const [name, value] of entries) withField(map, String(name), value);
    return map;
  }),
  manyFeatures,
  fc.constant(null),
  anyJson,
);
/** A field no message has, or one named like prototype machinery. */
const stray = fc.tuple(
  fc.oneof(fc.constantFrom('extra', 'correlation_id', 'result', '__proto__', 'constructor', 'valueOf', 'toString'), fc.string({ maxLength: 8 })),
  anyJson,
);
const withStray = ([record, extra]: [Record<string, unknown>, [string, unknown] | null]) =>
  extra === null ? record : withField({ ...record }, extra[0], extra[1]);

const fields = { match_id: matchId, task_id: taskId, deadline_at: deadlineAt, features };
const message = mostly(
  fc.tuple(fc.record(fields, { requiredKeys: ['match_id'] }), rarely(stray)).map(withStray),
  fc.record(fields, { requiredKeys: [] }),
);
const payloads = mostly(message, anyJson, fc.anything());

/**
 * A stream of feature maps, each with the names of the one before edited a little: kept (new values), renamed
 * (often to a wrong name: the same key count as a remembered valid list), two swapped, one dropped or added.
 */
const featureStream = fc.record({
  first: fc.uniqueArray(fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,6}$/), { maxLength: 5 }),
  steps: fc.array(
    fc.record({
      edit: fc.constantFrom('keep', 'keep', 'keep', 'rename', 'rename', 'swap', 'drop', 'add'),
      at: fc.nat(),
      name: featureName,
      values: fc.array(featureValue, { minLength: 8, maxLength: 8 }),
      json: fc.boolean(),
    }),
    { minLength: 1, maxLength: 8 },
  ),
});

function edited(names: readonly unknown[], { edit, at, name }: { edit: string; at: number; name: unknown }): unknown[] {
  const next = [...names];
  const i = next.length > 0 ? at % next.length : 0;
  if (edit === 'rename' && next.length > 0) next[i] = name;
  if (edit === 'swap' && next.length > 1) [next[i], next[(i + 1) % next.length]] = [next[(i + 1) % next.length], next[i]];
  if (edit === 'drop') next.splice(i, 1);
  if (edit === 'add') next.push(name);
  return next;
}

// ----------------------------------------------------------------------------------------------------------

void describe('validatePredictionRequest', () => {
  void it('never accepts what class-validator refuses, and otherwise returns exactly what it returns', () => {
    assertAgreesWithClassValidator(payloads, { fast: wellFormedPredictionRequest, validate: validatePredictionRequest, slow: byClassValidator, atLeast: { accepted: 500, refused: 500 }, variants: (p) => [p, viaJsonOrSame(p)] });
  });

  void it('checks each map of a stream in full unless it has exactly the names of the last valid one', () => {
    let accepted = 0;
    let refusedAfterValidOfSameSize = 0;
    fc.assert(
      fc.property(featureStream, ({ first, steps }) => {
        let names: unknown[] = first;
        let lastValidSize = -1;
        for (const step of steps) {
          names = edited(names, step);
          const features: Record<string, unknown> = {};
          names.forEach((name, i) => withField(features, String(name), step.values[i % step.values.length]));
          const raw = { task_id: TASK, match_id: 1, features };
          const payload = step.json ? viaJsonOrSame(raw) : raw;
          const fast = wellFormedPredictionRequest(payload);
          const expected = validationOutcome(byClassValidator, payload);
          if (fast !== undefined) {
            assert.ok('message' in expected, `the fast path accepted what class-validator refuses: ${JSON.stringify(expected)}`);
            assert.deepStrictEqual(validationOutcome(() => fast, payload), expected);
            accepted++;
            lastValidSize = Object.keys(fast.features ?? {}).length;
          } else if ('problems' in expected && Object.keys(features).length === lastValidSize) {
            refusedAfterValidOfSameSize++;
          }
          assert.deepStrictEqual(validationOutcome(validatePredictionRequest, payload), expected);
        }
      }),
      { numRuns: 2000 },
    );
    assert.ok(accepted > 1000 && refusedAfterValidOfSameSize > 200, `accepted ${accepted}, refused after a valid map of the same size ${refusedAfterValidOfSameSize}`);
  });

  void it('refuses a map with the names of the last valid one but one renamed, or a value that is not a number', () => {
    const task = (features: string) => JSON.parse(`{"task_id":"${TASK}","match_id":1,"features":${features}}`) as unknown;
    const valid = task('{"elo_diff":1,"home_ppg_5":null,"away.ppg-5":2}');
    for (const payload of [
      valid,
      task('{"elo_diff":1,"home_ppg_5":null,"away ppg":2}'),
      valid,
      task('{"elo_diff":1,"home_ppg_5":null,"__proto__":2}'),
      valid,
      task('{"elo_diff":1,"home_ppg_5":null,"toString":2}'),
      valid,
      task('{"elo_diff":1,"home_ppg_5":"1","away.ppg-5":2}'),
      valid,
      task('{"elo_diff":1,"home_ppg_5":null,"away.ppg-5":{}}'),
      task('{"home_ppg_5":null,"elo_diff":1,"away.ppg-5":2}'),
    ]) {
      const expected = validationOutcome(byClassValidator, payload);
      const fast = wellFormedPredictionRequest(payload);
      if (fast === undefined) assert.ok('problems' in expected, JSON.stringify(payload));
      else assert.deepStrictEqual(validationOutcome(() => fast, payload), expected);
      assert.deepStrictEqual(validationOutcome(validatePredictionRequest, payload), expected);
    }
    assert.ok(wellFormedPredictionRequest(valid));
    assert.equal(wellFormedPredictionRequest(task('{"elo_diff":1,"home_ppg_5":null,"away ppg":2}')), undefined);
  });

  void it('takes the fast path for a well-formed task, returning a message instance with its own copy of the features', () => {
    const payload = viaJson({ task_id: TASK, match_id: 7, features: FEATURES, deadline_at: 1_800_000_000_000 }) as { features: object };
    const fast = wellFormedPredictionRequest(payload);
    assert.ok(fast instanceof PredictionRequestMessage);
    assert.deepStrictEqual(fast, byClassValidator(payload));
    assert.deepEqual(Object.keys(fast), ['task_id', 'match_id', 'features', 'deadline_at']);
    assert.notEqual(fast.features, payload.features);
    assert.ok(wellFormedPredictionRequest({ match_id: 1 }), 'a sync request by match id');
    assert.ok(wellFormedPredictionRequest({ match_id: 1, features: {} }));
  });

  void it('leaves valid but unusual forms to class-validator, which accepts them as before', () => {
    for (const payload of [
      { match_id: 1, task_id: null },
      { match_id: 1, features: null },
      { match_id: 1, deadline_at: undefined },
      // A copy by spreading would keep the symbol, which class-transformer drops.
      { match_id: 1, features: { elo_diff: 1, [Symbol('note')]: 'x' } },
      Object.assign(Object.create(null) as object, { match_id: 1 }),
    ]) {
      assert.equal(wellFormedPredictionRequest(payload), undefined, JSON.stringify(payload));
      const accepted = validationOutcome(validatePredictionRequest, payload);
      assert.ok('message' in accepted, JSON.stringify(payload));
      assert.deepStrictEqual(accepted, validationOutcome(byClassValidator, payload));
    }
  });

  void it('refuses an invalid message with the problems class-validator names', () => {
    for (const payload of [
      { task_id: TASK },
      { task_id: 'nope', match_id: 'x' },
      { task_id: TASK, match_id: 0 },
      { task_id: TASK, match_id: 2 ** 53 },
      { task_id: TASK, match_id: 1, deadline_at: -1 },
      { task_id: TASK, match_id: 1, correlation_id: 'abc' },
      { task_id: TASK, match_id: 1, features: { elo_diff: '1' } },
      { task_id: TASK, match_id: 1, features: { 'bad name': 1 } },
      { task_id: TASK, match_id: 1, features: { elo_diff: 1, toString: 1 } },
      JSON.parse(`{"task_id":"${TASK}","match_id":1,"features":{"__proto__":1}}`) as unknown,
      { task_id: TASK, match_id: 1, features: Object.fromEntries(Array.from({ length: FEATURE_LIMITS.maxKeys + 1 }, (_, i) => [`f${i}`, 1])) },
      [1],
      null,
      'text',
    ]) {
      assert.equal(wellFormedPredictionRequest(payload), undefined, JSON.stringify(payload));
      const refused = validationOutcome(validatePredictionRequest, payload);
      assert.ok('problems' in refused, JSON.stringify(payload));
      assert.deepStrictEqual(refused, validationOutcome(byClassValidator, payload));
    }
  });
});

/** The value after a JSON round trip, or the value itself when it has none (fc.anything() makes BigInts, undefined...). */
function viaJsonOrSame(value: unknown): unknown {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? value : (JSON.parse(text) as unknown);
  } catch {
    return value;
  }
}

void describe('validatePredictRequest (the HTTP body)', () => {
  void it('never accepts what class-validator refuses, and otherwise returns exactly what it returns', () => {
    const byDtoValidator = (payload: unknown) => validateMessage(PredictRequestDto, payload);
    // Bodies: the DTO's two fields, now and then a broker-only field or a stray one.
    const bodyFields = { match_id: matchId, features };
    const bodies = mostly(
      fc.tuple(fc.record(bodyFields, { requiredKeys: ['match_id'] }), rarely(fc.oneof(stray, fc.tuple(fc.constant('task_id'), taskId), fc.tuple(fc.constant('deadline_at'), deadlineAt)))).map(withStray),
      fc.record(bodyFields, { requiredKeys: [] }),
      payloads,
    );
    assertAgreesWithClassValidator(bodies, {
      fast: wellFormedPredictRequest,
      validate: validatePredictRequest,
      slow: byDtoValidator,
      atLeast: { accepted: 300, refused: 500 },
      variants: (p) => [p, viaJsonOrSame(p)],
    });
  });

  void it('refuses the broker-only fields in a body, with class-validator problems', () => {
    for (const payload of [{ match_id: 1, task_id: TASK }, { match_id: 1, deadline_at: 5 }]) {
      assert.equal(wellFormedPredictRequest(payload), undefined);
      const refused = validationOutcome(validatePredictRequest, payload);
      assert.ok('problems' in refused, JSON.stringify(payload));
    }
    const body = wellFormedPredictRequest({ match_id: 3, features: FEATURES });
    assert.ok(body instanceof PredictRequestDto && !(body instanceof PredictionRequestMessage));
  });
});
