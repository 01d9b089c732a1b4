import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MessageProperties, XDeath } from 'amqplib';
import { bodyId, bundleEntriesOf, describeDeadLetter, matchesId, replayOptions, REPLAYED_AT_HEADER } from './dead-letter-message.js';

const TASK = '6f1c3a52-3c1e-4b7a-9a55-0d6f2f3b9c11';
const OTHER = '0c6d936b-47ba-49c4-ab70-fcc7bd066810';

const body = (data: unknown, pattern = 'prediction.task.v1') => Buffer.from(JSON.stringify({ pattern, data }));
const props = (extra: Partial<MessageProperties> = {}): MessageProperties =>
  ({
    contentType: undefined,
    contentEncoding: undefined,
    headers: {},
    deliveryMode: 2,
    priority: undefined,
    correlationId: undefined,
    replyTo: undefined,
    expiration: undefined,
    messageId: undefined,
    timestamp: undefined,
    type: undefined,
    userId: undefined,
    appId: undefined,
    clusterId: undefined,
    ...extra,
  });

void describe('describeDeadLetter', () => {
  void it('reads a task dead-lettered by the app (MessageSettler.deadLetter headers)', () => {
    const content = body({ task_id: TASK, match_id: 7 });
    const summary = describeDeadLetter({
      content,
      properties: props({
        messageId: TASK,
        headers: { 'mp-death-reason': 'attempts_exhausted', 'mp-death-error': 'boom', 'mp-attempt': 3, 'mp-original-queue': 'ml' },
      }),
    });
    assert.deepEqual(summary, {
      id: TASK,
      kind: 'task',
      problem: null,
      task_id: TASK,
      match_id: 7,
      tasks: null,
      reason: 'attempts_exhausted',
      error: 'boom',
      attempts: 3,
      original_queue: 'ml',
      dead_lettered_at: null,
      body_bytes: content.length,
    });
  });

  void it("reads a broker dead-letter from its newest x-death entry, with the broker's time", () => {
    const summary = describeDeadLetter({
      content: body({ task_id: TASK, match_id: 7 }),
      properties: props({
        messageId: TASK,
        headers: {
          // amqplib's XDeath type lacks 'delivery_limit' (quorum queues): plain data, as it arrives.
          'x-death': [
            { reason: 'delivery_limit', queue: 'ml', count: 1, time: { '!': 'timestamp', value: 1_795_000_000 } },
            { reason: 'expired', queue: 'ml.retry.2000ms', count: 1, time: { '!': 'timestamp', value: 1_794_999_990 } },
          ] as unknown as XDeath[],
          'x-first-death-reason': 'expired',
          'x-first-death-queue': 'ml.retry.2000ms',
          'mp-death-error': Buffer.from('attempt 1: timeout'),
          'mp-attempt': 2,
        },
      }),
    });
    assert.equal(summary.reason, 'delivery_limit', 'not the retry queue expiry that x-first-death-reason names');
    assert.equal(summary.original_queue, 'ml');
    assert.equal(summary.error, 'attempt 1: timeout');
    assert.equal(summary.dead_lettered_at, new Date(1_795_000_000_000).toISOString());
  });

  void it('falls back to x-first-death-*, then to "unknown"', () => {
    const first = describeDeadLetter({ content: body({ task_id: TASK, match_id: 1 }), properties: props({ headers: { 'x-first-death-reason': 'rejected', 'x-first-death-queue': 'ml' } }) });
    assert.deepEqual([first.reason, first.original_queue, first.attempts], ['rejected', 'ml', null]);
    const bare = describeDeadLetter({ content: body({ task_id: TASK, match_id: 1 }), properties: props({ headers: undefined }) });
    assert.deepEqual([bare.reason, bare.error, bare.original_queue], ['unknown', null, null]);
  });

  void it('lists bodies that are not task messages, with why, under a stable hash id', () => {
    const cases: [Buffer, RegExp, string | null][] = [
      [Buffer.from('{not json'), /not JSON/, null],
      [Buffer.from([0xff, 0x00]), /not JSON/, null],
      [Buffer.from('[1,2]'), /not a JSON object/, null],
      [body({ task_id: TASK, match_id: 1 }, 'prediction.predict.v1'), /pattern is "prediction.predict.v1"/, TASK],
      [Buffer.from(JSON.stringify({ task_id: TASK, match_id: 1 })), /pattern is null/, null],
      [body({ task_id: TASK, match_id: 0 }), /match_id/, TASK],
      [body({ match_id: 3 }), /task_id is missing/, null],
      [body({ task_id: 'nope', match_id: 3 }), /task_id/, null],
    ];
    for (const [content, problem, taskId] of cases) {
      const summary = describeDeadLetter({ content, properties: props() });
      assert.equal(summary.kind, 'invalid', content.toString());
      assert.match(summary.problem ?? '', problem, content.toString());
      assert.equal(summary.task_id, taskId, content.toString());
      assert.equal(summary.id, bodyId(content));
      assert.match(summary.id, /^sha256:[0-9a-f]{16}$/);
    }
    assert.equal(bodyId(Buffer.from('a')), bodyId(Buffer.from('a')));
    assert.notEqual(bodyId(Buffer.from('a')), bodyId(Buffer.from('b')));
  });

  void it('is found by its id or by its task id', () => {
    const summary = describeDeadLetter({ content: body({ task_id: OTHER, match_id: 0 }), properties: props() });
    assert.ok(matchesId(summary, summary.id));
    assert.ok(matchesId(summary, OTHER));
    assert.ok(!matchesId(summary, TASK));
  });
});

void describe('replayOptions', () => {
  void it('keeps the message, drops death and broker headers, restarts at attempt 1 under the task id', () => {
    const now = new Date('2026-11-28T09:00:00.000Z');
    const options = replayOptions(
      {
        content: Buffer.from('x'),
        properties: props({
          messageId: 'something-else',
          contentType: 'application/json',
          userId: 'guest',
          expiration: '1000',
          headers: {
            'mp-death-reason': 'attempts_exhausted',
            'mp-death-error': 'boom',
            'mp-original-queue': 'ml',
            'mp-attempt': 3,
            'mp-correlation-id': 'corr-1',
            'mp-replayed-at': 'earlier',
            'x-death': [],
            'x-first-death-reason': 'rejected',
            'x-delivery-count': 4,
          },
        }),
      },
      TASK,
      now,
    );
    assert.deepEqual(options, {
      contentType: 'application/json',
      messageId: TASK,
      persistent: true,
      headers: { 'mp-correlation-id': 'corr-1', 'mp-attempt': 1, [REPLAYED_AT_HEADER]: now.toISOString() },
    });
  });

  void it('keeps the messageId (or none) of a message without a task id', () => {
    const now = new Date();
    assert.equal(replayOptions({ content: Buffer.from('x'), properties: props({ messageId: 'm-1' }) }, null, now).messageId, 'm-1');
    assert.equal(replayOptions({ content: Buffer.from('x'), properties: props() }, null, now).messageId, undefined);
  });
});

void describe('describeDeadLetter of a bundle (ADR 0012)', () => {
  const bundle = (tasks: unknown) => body({ tasks }, 'prediction.task-bundle.v1');

  void it('lists each task of a valid envelope, with why an entry is not a valid task', () => {
    const entries = [{ task_id: TASK, match_id: 7, correlation_id: 'c-1' }, { task_id: 'not-a-uuid', match_id: 8 }, 42];
    const content = bundle(entries);
    const summary = describeDeadLetter({ content, properties: props({ messageId: `bundle:${TASK}:3`, headers: { 'mp-death-reason': 'delivery_limit' } }) });
    assert.equal(summary.kind, 'bundle');
    assert.equal(summary.problem, null);
    assert.equal(summary.task_id, null);
    assert.equal(summary.tasks?.length, 3);
    assert.deepEqual(summary.tasks?.[0], { task_id: TASK, match_id: 7, problem: null });
    assert.equal(summary.tasks?.[1]?.task_id, null);
    assert.match(summary.tasks?.[1]?.problem ?? '', /task_id/);
    assert.ok(summary.tasks?.[2]?.problem, 'an entry that is not an object is not a task');
    assert.deepEqual(bundleEntriesOf({ content, properties: props() }), entries);
  });

  void it('is found by the id of a task in it, not by an id it does not hold', () => {
    const summary = describeDeadLetter({ content: bundle([{ task_id: TASK, match_id: 7 }]), properties: props({ messageId: 'bundle:x:1' }) });
    assert.ok(matchesId(summary, TASK));
    assert.ok(matchesId(summary, 'bundle:x:1'));
    assert.ok(!matchesId(summary, OTHER));
  });

  void it('is an invalid message when the envelope is wrong (no task in it can be trusted)', () => {
    for (const tasks of [[], 'nope', Array.from({ length: 65 }, () => ({ task_id: TASK, match_id: 7 }))]) {
      const summary = describeDeadLetter({ content: bundle(tasks), properties: props() });
      assert.equal(summary.kind, 'invalid');
      assert.match(summary.problem ?? '', /^not a valid bundle: tasks must/);
      assert.equal(summary.tasks, null);
      assert.equal(bundleEntriesOf({ content: bundle(tasks), properties: props() }), null);
    }
  });
});
