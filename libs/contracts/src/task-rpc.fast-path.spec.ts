import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BATCH_RPC_MAX_ITEMS, BatchRpcMessage, TaskCreateManyMessage } from './batch-rpc.message.js';
import { PredictRequestDto } from './predict-request.dto.js';
import { TaskCreateMessage, TaskQueuedMessage, TaskStatusMessage } from './task-rpc.message.js';
import {
  validateBatchRpc,
  validateTaskCreateMany,
  validateTaskCreate,
  validateTaskQueued,
  validateTaskStatus,
  wellFormedBatchRpc,
  wellFormedTaskCreateMany,
  wellFormedTaskCreate,
  wellFormedTaskRef,
} from './task-rpc.fast-path.js';
import { validateMessage } from './validate-message.js';
import { assertAgreesWithClassValidator } from './testing/fast-path-property.js';
import { anyJson, mostly, rarely, withField } from './testing/near-valid.arbitraries.js';

const TASK = '6f1c3a52-3c1e-4b7a-9a55-0d6f2f3b9c11';

const taskId = mostly(fc.uuid(), fc.constantFrom('not-a-uuid', '', TASK.toUpperCase(), `${TASK} `, null), anyJson);
const stray = fc.tuple(fc.oneof(fc.constantFrom('extra', 'items', 'task_id', '__proto__', 'constructor', 'valueOf'), fc.string({ maxLength: 8 })), anyJson);
const withStray = ([record, extra]: [Record<string, unknown>, [string, unknown] | null]) => (extra === null ? record : withField({ ...record }, extra[0], extra[1]));
const record = (fields: Record<string, fc.Arbitrary<unknown>>) =>
  mostly(fc.tuple(fc.record(fields), rarely(stray)).map(withStray), fc.record(fields, { requiredKeys: [] }), anyJson);

const taskRef = record({ task_id: taskId });
const matchId = mostly(fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom(0, -1, 1.5, 2 ** 53, Number.MAX_SAFE_INTEGER, '3', null), anyJson);
const features = mostly(fc.constant({ elo_diff: 0.5 }), fc.constant({ elo_diff: '0.5' }), fc.constant(null));
const request = mostly(
  record({ match_id: matchId }),
  fc.record({ match_id: matchId, features }, { requiredKeys: ['match_id'] }),
);
const idempotencyKey = mostly(fc.stringMatching(/^[A-Za-z0-9:_.-]{1,40}$/), fc.constantFrom('', 'bad key', 'x'.repeat(201), 'x'.repeat(200), 'ü'), anyJson);
const create = record({ idempotency_key: idempotencyKey, request });
const items = mostly(
  fc.array(fc.oneof(taskRef, create), { maxLength: 4 }),
  fc.constant(Array.from({ length: BATCH_RPC_MAX_ITEMS + 1 }, () => ({ task_id: TASK }))),
  fc.constant([JSON.parse('{"__proto__": {"x": 1}}') as unknown]),
  anyJson,
);
const envelope = record({ items });
const createManyEnvelope = fc.oneof(envelope, record({ items, queued: items }), record({ items, queued: anyJson }));

void describe('task RPC fast paths', () => {
  void it('task.status.v1 and task.queued.v1: never accept what class-validator refuses, else return what it returns', () => {
    assertAgreesWithClassValidator(taskRef, { fast: (p) => wellFormedTaskRef(p, TaskStatusMessage), validate: validateTaskStatus, slow: (p) => validateMessage(TaskStatusMessage, p), numRuns: 2000 });
    assertAgreesWithClassValidator(taskRef, { fast: (p) => wellFormedTaskRef(p, TaskQueuedMessage), validate: validateTaskQueued, slow: (p) => validateMessage(TaskQueuedMessage, p), numRuns: 2000 });
  });

  void it('task.create.v1: the same property, a request with features left to class-validator', () => {
    assertAgreesWithClassValidator(create, { fast: wellFormedTaskCreate, validate: validateTaskCreate, slow: (p) => validateMessage(TaskCreateMessage, p), numRuns: 2000 });
  });

  void it('the *.many.v1 envelope: the same property, the shape rules applied inside the items', () => {
    assertAgreesWithClassValidator(envelope, { fast: wellFormedBatchRpc, validate: validateBatchRpc, slow: (p) => validateMessage(BatchRpcMessage, p), numRuns: 2000 });
  });

  void it('the task.create.many.v1 envelope with queued notes: the same property', () => {
    assertAgreesWithClassValidator(createManyEnvelope, {
      fast: wellFormedTaskCreateMany,
      validate: validateTaskCreateMany,
      slow: (p) => validateMessage(TaskCreateManyMessage, p),
      numRuns: 2000,
    });
    const both = wellFormedTaskCreateMany({ items: [], queued: [{ task_id: TASK }] });
    assert.ok(both instanceof TaskCreateManyMessage);
    assert.deepStrictEqual(both, validateMessage(TaskCreateManyMessage, { items: [], queued: [{ task_id: TASK }] }));
  });

  void it('takes the fast path for what the gateway sends, keeping instances of the message classes', () => {
    const status = wellFormedTaskRef({ task_id: TASK }, TaskStatusMessage);
    assert.ok(status instanceof TaskStatusMessage);
    const created = wellFormedTaskCreate({ idempotency_key: 'sha256:abc', request: { match_id: 7 } });
    assert.ok(created instanceof TaskCreateMessage && created.request instanceof PredictRequestDto);
    assert.deepStrictEqual(created, validateMessage(TaskCreateMessage, { idempotency_key: 'sha256:abc', request: { match_id: 7 } }));
    assert.ok(wellFormedBatchRpc({ items: [{ task_id: TASK }] }) instanceof BatchRpcMessage);
    // With features, class-validator decides (and accepts a valid map).
    assert.equal(wellFormedTaskCreate({ idempotency_key: 'k', request: { match_id: 7, features: { elo_diff: 1 } } }), undefined);
    assert.ok(validateTaskCreate({ idempotency_key: 'k', request: { match_id: 7, features: { elo_diff: 1 } } }));
  });
});
