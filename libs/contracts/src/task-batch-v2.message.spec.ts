import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Prediction } from './prediction.js';
import { expandTaskBatchV2, taskBatchV2Of } from './task-batch-v2.message.js';
import { TaskBatchMessage } from './task-event.message.js';
import { validateMessage } from './validate-message.js';
import { TaskBatchV2Message } from './task-batch-v2.message.js';

const AT = '2026-11-28T12:00:00.000Z';
const A = '6f1c3a52-3c1e-4b7a-9a55-0d6f2f3b9c11';
const B = '0b9c2c9e-7f0a-4d5e-8a1b-2c3d4e5f6a7b';
const C = '9d8e7f6a-5b4c-4d3e-9f2a-1b0c9d8e7f6a';

function prediction(matchId: number, p: [number, number, number], extra: Partial<Prediction> = {}): Prediction {
  const predicted = p.indexOf(Math.max(...p)) as 0 | 1 | 2;
  return {
    match_id: matchId,
    predicted_class: predicted,
    probabilities: { '0': p[0], '1': p[1], '2': p[2] },
    model_version: '3',
    model_run_id: 'run-1',
    predicted_outcome: (['home_win', 'draw', 'away_win'] as const)[predicted],
    model_name: 'match-outcome',
    features_source: 'inline',
    backend: 'wasm',
    ...extra,
  };
}

void describe('task.batch.v2', () => {
  void it('expands to exactly the task.batch.v1 message the predictor used to send, through JSON and validation', () => {
    const scored = [
      { attempt: { task_id: A, attempt: 1, correlation_id: 'req-a' }, result: prediction(11, [0.5, 0.3, 0.2]) },
      { attempt: { task_id: B, attempt: 2 }, result: prediction(12, [0.1, 0.2, 0.7], { features_source: 'history' }) },
    ];
    const unscored = [{ task_id: C, attempt: 3 }];
    const v1 = {
      started: [...scored.map((s) => ({ ...s.attempt, at: AT })), { ...unscored[0]!, at: AT }],
      succeeded: scored.map((s) => ({ ...s.attempt, result: s.result, at: AT })),
    };
    const v2 = taskBatchV2Of(AT, scored, unscored);
    assert.ok(v2);
    const wire = JSON.parse(JSON.stringify(v2)) as unknown;
    const expanded = expandTaskBatchV2(validateMessage(TaskBatchV2Message, wire));
    assert.deepStrictEqual(expanded, validateMessage(TaskBatchMessage, JSON.parse(JSON.stringify(v1))));
    // Same stored result, field order included (it is what the status API returns).
    assert.equal(JSON.stringify(expanded.succeeded[1]!.result), JSON.stringify(scored[1]!.result));
    assert.ok(JSON.stringify(v2).length < JSON.stringify(v1).length * 0.6);
  });

  void it('is not built when the predictions come from different models (the caller sends v1)', () => {
    const scored = [
      { attempt: { task_id: A, attempt: 1 }, result: prediction(11, [0.5, 0.3, 0.2]) },
      { attempt: { task_id: B, attempt: 1 }, result: prediction(12, [0.5, 0.3, 0.2], { model_version: '4' }) },
    ];
    assert.equal(taskBatchV2Of(AT, scored, []), null);
  });

  void it('carries a batch in which nothing was scored', () => {
    const v2 = taskBatchV2Of(AT, [], [{ task_id: A, attempt: 1 }]);
    assert.ok(v2);
    assert.deepStrictEqual(JSON.parse(JSON.stringify(expandTaskBatchV2(v2))), { started: [{ task_id: A, attempt: 1, at: AT }], succeeded: [] });
  });
});
