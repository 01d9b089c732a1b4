import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { expandTaskBatchV2, Patterns, type Prediction, type TaskBatchMessage, type TaskBatchV2Message } from '@app/contracts';
import { Headers, RpcFailure, type Delivery } from '@app/messaging';
import { InteractiveGate } from './interactive-gate.js';
import { TaskConsumer } from './task.consumer.js';

/** The rules of one batch, with the broker, the model and the task store replaced by recorders. */
function harness(options: { failPublish?: boolean; modelVersionOf?: (matchId: number) => string; batchMaxSize?: number } = {}) {
  const log: string[] = [];
  const published: { pattern: string; payload: unknown }[] = [];
  const prediction = (matchId: number): Prediction => ({
    match_id: matchId,
    predicted_class: 0,
    probabilities: { '0': 0.5, '1': 0.3, '2': 0.2 },
    model_version: options.modelVersionOf?.(matchId) ?? '1',
    model_run_id: 'run',
    predicted_outcome: 'home_win',
    model_name: 'm',
    features_source: 'history',
    backend: 'cpu',
  });
  const predictions = {
    predictMany: (requests: { match_id: number }[]) =>
      Promise.resolve(requests.map((r) => (r.match_id === 404 ? new RpcFailure('unknown_match', 'no such match') : prediction(r.match_id)))),
  };
  const events = {
    publish: (pattern: string, payload: unknown) => {
      log.push(`publish ${pattern}`);
      if (options.failPublish) return Promise.reject(new Error('broker away'));
      published.push({ pattern, payload });
      return Promise.resolve();
    },
  };
  const id = (ctx: unknown) => (ctx as { id: string }).id;
  const settler = {
    ack: (ctx: unknown) => log.push(`ack ${id(ctx)}`),
    requeueLater: (ctx: unknown) => log.push(`requeue ${id(ctx)}`),
    retry: (ctx: unknown, queue: string, next: number) => {
      log.push(`retry ${id(ctx)} ${queue} attempt ${next}`);
      return Promise.resolve();
    },
    deadLetter: (ctx: unknown, _exchange: string, reason: string) => {
      log.push(`dead-letter ${id(ctx)} ${reason}`);
      return Promise.resolve();
    },
  };
  const broker = {
    topology: {
      deadLetterExchange: 'ml.dlx',
      retryQueueFor: (attempt: number) => (attempt < 3 ? { name: `ml.retry.${1000 * attempt}ms`, delayMs: 1000 * attempt } : undefined),
    },
  };
  const config = { faultyMatchIds: () => new Set([13]), BATCH_MAX_SIZE: options.batchMaxSize ?? 128 };
  const counter = { inc: () => undefined };
  const consumer = new TaskConsumer(
    predictions as never,
    events as never,
    settler as never,
    broker as never,
    new InteractiveGate(),
    config as never,
    counter as never,
    counter as never,
  );
  return { consumer, log, published };
}

function delivery(name: string, data: unknown, headers: Record<string, unknown> = {}, pattern: string | undefined = Patterns.predictTask): Delivery {
  return { ctx: { id: name } as never, message: { properties: { headers } } as never, pattern, data, parseError: undefined };
}

describe('TaskConsumer (one batch)', () => {
  it('publishes one outcome message for the batch, with correlation ids, and acks each task only after it', async () => {
    const { consumer, log, published } = harness();
    const [a, b] = [randomUUID(), randomUUID()];
    await consumer.onBatch([
      delivery('a', { task_id: a, match_id: 1 }, { [Headers.correlationId]: 'corr-a' }),
      delivery('b', { task_id: b, match_id: 2 }, { [Headers.attempt]: 2 }),
    ]);
    assert.deepEqual(log, [`publish ${Patterns.taskBatchV2}`, 'ack a', 'ack b']);
    // What results applies: the v1 batch the compact message stands for.
    const batch = JSON.parse(JSON.stringify(expandTaskBatchV2(published[0]!.payload as TaskBatchV2Message))) as TaskBatchMessage;
    assert.deepEqual(
      batch.started.map(({ task_id, attempt, correlation_id }) => ({ task_id, attempt, correlation_id })),
      [
        { task_id: a, attempt: 1, correlation_id: 'corr-a' },
        { task_id: b, attempt: 2, correlation_id: undefined },
      ],
    );
    assert.deepEqual(batch.succeeded.map((s) => [s.task_id, s.result.match_id]), [[a, 1], [b, 2]]);
    // No correlation_id field at all without one; every event of the batch carries the same time.
    const at = batch.started[0]!.at;
    assert.deepEqual(batch.started, [
      { task_id: a, attempt: 1, correlation_id: 'corr-a', at },
      { task_id: b, attempt: 2, at },
    ]);
    assert.deepEqual(
      batch.succeeded.map((s) => ({ ...s, result: s.result.match_id })),
      [
        { task_id: a, attempt: 1, correlation_id: 'corr-a', result: 1, at },
        { task_id: b, attempt: 2, result: 2, at },
      ],
    );
  });

  it('scores a batch in model calls of at most BATCH_MAX_SIZE tasks, one outcome message each (bundles make batches larger)', async () => {
    const { consumer, log } = harness({ batchMaxSize: 2 });
    await consumer.onBatch(['a', 'b', 'c', 'd', 'e'].map((name, i) => delivery(name, { task_id: randomUUID(), match_id: i + 1 })));
    assert.deepEqual(log, [
      `publish ${Patterns.taskBatchV2}`,
      'ack a',
      'ack b',
      `publish ${Patterns.taskBatchV2}`,
      'ack c',
      'ack d',
      `publish ${Patterns.taskBatchV2}`,
      'ack e',
    ]);
  });

  it('dead-letters what is not a valid task message, and still scores the rest', async () => {
    const { consumer, log } = harness();
    await consumer.onBatch([
      delivery('no-id', { match_id: 1 }),
      delivery('null-id', { task_id: null, match_id: 1 }),
      delivery('bad-features', { task_id: randomUUID(), match_id: 1, features: { elo_diff: '1' } }),
      delivery('wrong-pattern', { task_id: randomUUID(), match_id: 1 }, {}, 'something.else.v1'),
      { ...delivery('not-json', undefined), parseError: 'body is not JSON' },
      delivery('ok', { task_id: randomUUID(), match_id: 3 }),
    ]);
    assert.deepEqual(log.filter((l) => l.startsWith('dead-letter')).sort(), [
      'dead-letter bad-features invalid_message',
      'dead-letter no-id invalid_message',
      'dead-letter not-json invalid_message',
      'dead-letter null-id invalid_message',
      'dead-letter wrong-pattern invalid_message',
    ]);
    assert.ok(log.includes('ack ok'));
  });

  it('retries a failed attempt through the next retry queue, and dead-letters the last one or a permanent error', async () => {
    const { consumer, log, published } = harness();
    await consumer.onBatch([
      delivery('first', { task_id: randomUUID(), match_id: 13 }),
      delivery('last', { task_id: randomUUID(), match_id: 13 }, { [Headers.attempt]: 3 }),
      delivery('unknown', { task_id: randomUUID(), match_id: 404 }),
    ]);
    assert.ok(log.includes('retry first ml.retry.1000ms attempt 2'));
    assert.ok(log.includes('dead-letter last attempts_exhausted'));
    assert.ok(log.includes('dead-letter unknown permanent_error'));
    assert.equal(log.filter((l) => l.startsWith('ack')).length, 0, 'nothing failed is acked as a success');
    assert.deepEqual(published.map((p) => p.pattern), [Patterns.taskBatchV2, Patterns.taskRetrying]);
    const outcome = published[0]!.payload as TaskBatchV2Message;
    assert.equal(outcome.scored.length, 0);
    assert.equal(outcome.unscored.length, 3);
  });

  it('acks nothing when the outcome cannot be published: the whole batch goes back to the queue', async () => {
    const { consumer, log } = harness({ failPublish: true });
    await consumer.onBatch([delivery('a', { task_id: randomUUID(), match_id: 1 }), delivery('b', { task_id: randomUUID(), match_id: 2 })]);
    assert.deepEqual(log, [`publish ${Patterns.taskBatchV2}`, 'requeue a', 'requeue b']);
  });

  it('sends task.batch.v1 when the predictions of a batch name different models (the compact form names one)', async () => {
    const { consumer, log, published } = harness({ modelVersionOf: (matchId) => String(matchId) });
    const [a, b] = [randomUUID(), randomUUID()];
    await consumer.onBatch([delivery('a', { task_id: a, match_id: 1 }), delivery('b', { task_id: b, match_id: 2 })]);
    assert.deepEqual(log, [`publish ${Patterns.taskBatch}`, 'ack a', 'ack b']);
    const batch = published[0]!.payload as TaskBatchMessage;
    assert.deepEqual(batch.succeeded.map((s) => [s.task_id, s.result.model_version]), [[a, '1'], [b, '2']]);
  });
});
