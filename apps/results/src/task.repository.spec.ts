import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toTaskView } from './task.repository.js';

const TASK = '6f1c3a52-3c1e-4b7a-9a55-0d6f2f3b9c11';

void describe('toTaskView', () => {
  const base = { status: 'started', order: '11', match_id: '42', attempts: '1', submitted_at: 'a', updated_at: 'b', idem_key: 'mp:idem:k' };

  void it('decodes a stored hash without leaking storage fields', () => {
    assert.deepEqual(toTaskView(TASK, base), { task_id: TASK, status: 'started', match_id: 42, attempts: 1, submitted_at: 'a', updated_at: 'b' });
  });

  void it('parses the stored result and keeps the error', () => {
    const view = toTaskView(TASK, { ...base, status: 'success', result: '{"predicted_class":2}', error: 'x' });
    assert.deepEqual(view.result, { predicted_class: 2 });
    assert.equal(view.error, 'x');
  });

  void it('refuses a record with an unknown status', () => {
    assert.throws(() => toTaskView(TASK, { ...base, status: 'done' }), /corrupt task record/);
  });
});
