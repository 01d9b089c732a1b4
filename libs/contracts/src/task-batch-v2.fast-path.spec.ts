import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { TASK_BATCH_MAX_TASKS } from './task-event.message.js';
import { BatchAttempt, ScoredAttempt, ScoringModel, TaskBatchV2Message } from './task-batch-v2.message.js';
import { validateMessage } from './validate-message.js';
import { assertAgreesWithClassValidator, validationOutcome } from './testing/fast-path-property.js';
import { validateTaskBatchV2, wellFormedTaskBatchV2 } from './task-batch-v2.fast-path.js';
import { anyJson, mostly, rarely, withField } from './testing/near-valid.arbitraries.js';

const TASK = '6f1c3a52-3c1e-4b7a-9a55-0d6f2f3b9c11';
const AT = '2026-11-28T12:00:00.000Z';
const MODEL = { model_name: 'match-outcome', model_version: '3', model_run_id: 'run-1', backend: 'wasm' };
const attemptOf = (extra: object = {}) => ({ task_id: TASK, attempt: 1, ...extra });
const scoredOf = (extra: object = {}) => ({ ...attemptOf(), match_id: 11, predicted_class: 2, probabilities: [0.2, 0.3, 0.5], features_source: 'inline', ...extra });

const byClassValidator = (payload: unknown) => validateMessage(TaskBatchV2Message, payload);

// --- Generators: batches close to valid, each field either valid or wrong in a way that matters ---------

const taskId = mostly(fc.uuid(), fc.constantFrom('not-a-uuid', '', TASK.toUpperCase(), `${TASK} `), anyJson);
const attempt = mostly(fc.integer({ min: 1, max: 5 }), fc.constantFrom(0, -1, 1.5, -0, 2 ** 53, '1', true), anyJson);
const correlationId = mostly(fc.stringMatching(/^[A-Za-z0-9._:-]{1,40}$/), fc.constantFrom('', 'a b', 'x'.repeat(129), null), anyJson);
const matchId = mostly(fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom(0, -3, 1.5, 2 ** 53, Number.MAX_SAFE_INTEGER, '7'), anyJson);
const predictedClass = mostly(fc.constantFrom(0, 1, 2), fc.constantFrom(3, -1, -0, 1.5, '1', null), anyJson);
const probability = mostly(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom('0.5', null, 1e308 * 10), anyJson);
const probabilities = mostly(fc.array(probability, { minLength: 3, maxLength: 3 }), fc.array(probability, { maxLength: 5 }), anyJson);
const featuresSource = mostly(fc.constantFrom('inline', 'history'), fc.constantFrom('INLINE', '', 'cache'), anyJson);
const name = (maxChars: number) => mostly(fc.string({ maxLength: 12 }), fc.constant('x'.repeat(maxChars + 1)), fc.constant('x'.repeat(maxChars)), anyJson);
const stray = fc.tuple(fc.oneof(fc.constantFrom('extra', 'result', 'at', '__proto__', 'constructor', 'scored'), fc.string({ maxLength: 8 })), anyJson);
const withStray = ([record, extra]: [Record<string, unknown>, [string, unknown] | null]) => (extra === null ? record : withField({ ...record }, extra[0], extra[1]));

function entry(fields: Record<string, fc.Arbitrary<unknown>>, optional: string[]): fc.Arbitrary<unknown> {
  const required = Object.keys(fields).filter((k) => !optional.includes(k));
  return mostly(fc.tuple(fc.record(fields, { requiredKeys: required }), rarely(stray)).map(withStray), fc.record(fields, { requiredKeys: [] }), anyJson);
}

const model = entry({ model_name: name(200), model_version: name(200), model_run_id: name(200), backend: name(100) }, []);
const unscoredEntry = entry({ task_id: taskId, attempt, correlation_id: correlationId }, ['correlation_id']);
const scoredEntry = entry(
  { task_id: taskId, attempt, correlation_id: correlationId, match_id: matchId, predicted_class: predictedClass, probabilities, features_source: featuresSource },
  ['correlation_id'],
);
const list = (item: fc.Arbitrary<unknown>) => mostly(fc.array(item, { maxLength: 3 }), anyJson, fc.record({ 0: item }));
const fields = { at: mostly(fc.string({ maxLength: 30 }), anyJson), model, scored: list(scoredEntry), unscored: list(unscoredEntry) };
const payloads = mostly(
  mostly(fc.tuple(fc.record(fields), rarely(stray)).map(withStray), fc.record(fields, { requiredKeys: [] })),
  anyJson,
);

// ----------------------------------------------------------------------------------------------------------

void describe('validateTaskBatchV2', () => {
  void it('never accepts what class-validator refuses, and otherwise returns exactly what it returns', () => {
    assertAgreesWithClassValidator(payloads, { fast: wellFormedTaskBatchV2, validate: validateTaskBatchV2, slow: byClassValidator, atLeast: { accepted: 300, refused: 300 } });
  });

  void it('takes the fast path for a well-formed batch, keeping instances of the message classes', () => {
    const payload = { at: AT, model: MODEL, scored: [scoredOf({ correlation_id: 'req-1' }), scoredOf({ predicted_class: 0 })], unscored: [attemptOf({ attempt: 2 })] };
    const fast = wellFormedTaskBatchV2(payload);
    assert.ok(fast instanceof TaskBatchV2Message);
    assert.ok(fast.model instanceof ScoringModel);
    assert.ok(fast.scored[0] instanceof ScoredAttempt);
    assert.ok(fast.unscored[0] instanceof BatchAttempt);
    assert.deepStrictEqual(fast, byClassValidator(payload));
  });

  void it('accepts the largest batch and refuses a larger one with class-validator problems', () => {
    const full = { at: AT, model: MODEL, scored: Array.from({ length: TASK_BATCH_MAX_TASKS }, () => scoredOf()), unscored: [] };
    assert.ok(wellFormedTaskBatchV2(full));
    const over = { ...full, scored: [...full.scored, scoredOf()] };
    assert.equal(wellFormedTaskBatchV2(over), undefined);
    assert.ok('problems' in validationOutcome(validateTaskBatchV2, over));
    assert.deepStrictEqual(validationOutcome(validateTaskBatchV2, over), validationOutcome(byClassValidator, over));
  });

  void it('refuses an invalid batch with the problems class-validator names', () => {
    for (const payload of [
      { at: AT, model: MODEL, scored: [scoredOf({ probabilities: [0.5, 0.5] })], unscored: [] },
      { at: AT, model: MODEL, scored: [scoredOf({ predicted_class: 3 })], unscored: [] },
      { at: AT, model: MODEL, scored: [scoredOf({ features_source: 'cache' })], unscored: [] },
      { at: AT, model: { ...MODEL, backend: undefined }, scored: [], unscored: [] },
      { at: AT, model: MODEL, scored: [], unscored: [attemptOf({ result: {} })] },
      { at: AT, model: MODEL, scored: [] },
      { model: MODEL, scored: [], unscored: [] },
    ]) {
      const refused = validationOutcome(validateTaskBatchV2, payload);
      assert.ok('problems' in refused, JSON.stringify(payload));
      assert.deepStrictEqual(refused, validationOutcome(byClassValidator, payload));
    }
  });
});
