import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { TASK_BATCH_MAX_TASKS, TaskBatchMessage, TaskStartedMessage, TaskSucceededMessage } from './task-event.message.js';
import { validateMessage } from './validate-message.js';
import { assertAgreesWithClassValidator, validationOutcome } from './testing/fast-path-property.js';
import { wellFormedTaskBatch, validateTaskBatch } from './task-batch.fast-path.js';
import { anyJson, mostly, rarely, viaJson, withField } from './testing/near-valid.arbitraries.js';

const TASK = '6f1c3a52-3c1e-4b7a-9a55-0d6f2f3b9c11';
const AT = '2026-11-27T12:00:00.000Z';
const RESULT = { match_id: 11, predicted_class: 2, probabilities: { '0': 0.2, '1': 0.3, '2': 0.5 }, model_version: '1' };
const started = (extra: object = {}) => ({ task_id: TASK, attempt: 1, at: AT, ...extra });
const succeeded = (extra: object = {}) => ({ ...started(), result: RESULT, ...extra });

const byClassValidator = (payload: unknown) => validateMessage(TaskBatchMessage, payload);

// --- Generators: batches close to valid, each field either valid or wrong in a way that matters ---------


const taskId = mostly(
  fc.uuid(),
  fc.constantFrom('not-a-uuid', '', TASK.toUpperCase(), `{${TASK}}`, '00000000-0000-0000-0000-000000000000', `${TASK} `),
  anyJson,
);
const attempt = mostly(fc.integer({ min: 1, max: 5 }), fc.constantFrom(0, -1, 1.5, -0, 2 ** 53, Number.MAX_VALUE, '1', true), anyJson);
const at = mostly(fc.string({ maxLength: 30 }), anyJson);
const correlationId = mostly(
  fc.stringMatching(/^[A-Za-z0-9._:-]{1,40}$/),
  fc.constantFrom('', 'a b', 'x'.repeat(128), 'x'.repeat(129), 'ü', 'a\n', null),
  anyJson,
);
/** A deep object: the payload-wide depth limit applies inside `result` too. */
const nested = (depth: number): unknown => (depth === 0 ? 1 : { a: nested(depth - 1) });
const result = mostly(
  fc.oneof(fc.constant(RESULT), fc.dictionary(fc.string({ maxLength: 6 }), anyJson, { maxKeys: 4 })),
  fc.integer({ min: 0, max: 8 }).map(nested),
  fc.constantFrom('constructor', 'toString', '__proto__', 'prototype', 'hasOwnProperty').map((k) => ({ ...RESULT, nested: withField({}, k, 1) })),
  anyJson,
);
/** A field no event has, or one named like prototype machinery. */
const stray = fc.tuple(
  fc.oneof(fc.constantFrom('extra', 'error', 'retry_in_ms', 'result', '__proto__', 'constructor', 'valueOf', 'started'), fc.string({ maxLength: 8 })),
  anyJson,
);
const withStray = ([record, extra]: [Record<string, unknown>, [string, unknown] | null]) =>
  extra === null ? record : withField({ ...record }, extra[0], extra[1]);

function event(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> {
  const required = Object.keys(fields).filter((k) => k !== 'correlation_id');
  return mostly(
    fc.tuple(fc.record(fields, { requiredKeys: required }), rarely(stray)).map(withStray),
    fc.record(fields, { requiredKeys: [] }),
    anyJson,
  );
}

const startedEvent = event({ task_id: taskId, attempt, at, correlation_id: correlationId });
const succeededEvent = event({ task_id: taskId, attempt, at, correlation_id: correlationId, result });
const list = (item: fc.Arbitrary<unknown>) => mostly(fc.array(item, { maxLength: 3 }), anyJson, fc.record({ 0: item }));
const batch = mostly(
  fc.tuple(fc.record({ started: list(startedEvent), succeeded: list(succeededEvent) }), rarely(stray)).map(withStray),
  fc.record({ started: list(startedEvent), succeeded: list(succeededEvent) }, { requiredKeys: [] }),
);
const payloads = mostly(batch, anyJson);

// ----------------------------------------------------------------------------------------------------------

void describe('validateTaskBatch', () => {
  void it('never accepts what class-validator refuses, and otherwise returns exactly what it returns', () => {
    assertAgreesWithClassValidator(payloads, { fast: wellFormedTaskBatch, validate: validateTaskBatch, slow: byClassValidator, atLeast: { accepted: 500, refused: 500 } });
  });

  void it('takes the fast path for a well-formed batch, keeping instances of the message classes', () => {
    const payload = { started: [started({ correlation_id: 'req-1' }), started({ correlation_id: null })], succeeded: [succeeded()] };
    const fast = wellFormedTaskBatch(payload);
    assert.ok(fast instanceof TaskBatchMessage);
    assert.ok(fast.started[0] instanceof TaskStartedMessage);
    assert.ok(fast.succeeded[0] instanceof TaskSucceededMessage);
    assert.deepStrictEqual(fast, byClassValidator(payload));
    assert.ok(wellFormedTaskBatch({ started: [], succeeded: [] }));
  });

  void it('accepts the largest batch and refuses a larger one with class-validator problems', () => {
    const full = { started: Array.from({ length: TASK_BATCH_MAX_TASKS }, () => started()), succeeded: [] };
    assert.ok(wellFormedTaskBatch(full));
    const over = { ...full, started: [...full.started, started()] };
    assert.equal(wellFormedTaskBatch(over), undefined);
    assert.deepStrictEqual(validationOutcome(validateTaskBatch, over), validationOutcome(byClassValidator, over));
    assert.ok('problems' in validationOutcome(validateTaskBatch, over));
  });

  void it('refuses an invalid batch with the problems class-validator names', () => {
    for (const payload of [
      { started: [started({ attempt: 0 })], succeeded: [] },
      { started: [], succeeded: [succeeded({ result: [] })] },
      { started: [], succeeded: [succeeded({ extra: 1 })] },
      { started: [started()] },
      { started: [], succeeded: [], more: [] },
      viaJson({ started: [], succeeded: [succeeded({ result: { ...RESULT, deep: nested(6) } })] }),
      JSON.parse(`{"started":[],"succeeded":[{"task_id":"${TASK}","attempt":1,"at":"${AT}","result":{"__proto__":{}}}]}`) as unknown,
    ]) {
      const refused = validationOutcome(validateTaskBatch, payload);
      assert.ok('problems' in refused, JSON.stringify(payload));
      assert.deepStrictEqual(refused, validationOutcome(byClassValidator, payload));
    }
  });
});
