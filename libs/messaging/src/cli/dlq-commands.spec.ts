import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskReplayReply, TaskState } from '@app/contracts';
import type { Channel, ConsumeMessage, Options } from 'amqplib';
import { QueueSnapshot } from './dead-letter-queue.adapter.js';
import { purgeCommand, replayCommand, type DlqContext } from './dlq-commands.js';
import { ResultsUnreachableError } from './dlq-errors.js';

const TASK = '6f1c3a52-3c1e-4b7a-9a55-0d6f2f3b9c11';
const QUEUES = { work: 'ml', deadLetter: 'ml.dlq' };

function message(content: string, messageId?: string, headers: Record<string, unknown> = {}): ConsumeMessage {
  return {
    content: Buffer.from(content),
    fields: { deliveryTag: 1, redelivered: false, exchange: 'ml.dlx', routingKey: '', consumerTag: 'c' },
    properties: { messageId, headers, deliveryMode: 2 },
  } as unknown as ConsumeMessage;
}

const task = (taskId = TASK) =>
  message(JSON.stringify({ pattern: 'prediction.task.v1', data: { task_id: taskId, match_id: 7 } }), taskId, {
    'mp-death-reason': 'attempts_exhausted',
    'mp-original-queue': 'ml',
  });

/** A dead-letter queue and a results app, in memory: records what the tool publishes, acks and asks. */
function harness(messages: ConsumeMessage[], reply: TaskReplayReply | Error | ((taskId: string) => TaskReplayReply)) {
  const acked: ConsumeMessage[] = [];
  const published: { queue: string; content: string; options: Options.Publish }[] = [];
  const asked: string[] = [];
  const out: string[] = [];
  const err: string[] = [];
  let released = false;
  let publishFails = false;
  const channel = { ack: (m: ConsumeMessage) => acked.push(m), close: () => ((released = true), Promise.resolve()) } as unknown as Channel;
  const ctx: DlqContext = {
    queues: QUEUES,
    broker: {
      snapshot: () => Promise.resolve(new QueueSnapshot(channel, QUEUES.deadLetter, messages.length, messages, () => undefined)),
      count: () => Promise.resolve(messages.length),
      purge: () => Promise.resolve(messages.length),
      publishToQueue: (queue, content, options) => {
        if (publishFails) return Promise.reject(new Error('not confirmed'));
        published.push({ queue, content: content.toString(), options });
        return Promise.resolve();
      },
    },
    results: () => ({
      reopen: (taskId) => {
        asked.push(taskId);
        if (reply instanceof Error) return Promise.reject(reply);
        return Promise.resolve(typeof reply === 'function' ? reply(taskId) : reply);
      },
    }),
    output: { out: (l) => out.push(l), err: (l) => err.push(l) },
    now: () => new Date('2026-11-28T09:00:00.000Z'),
  };
  return {
    ctx,
    acked,
    published,
    asked,
    out,
    err,
    released: () => released,
    failPublishes: () => {
      publishFails = true;
    },
  };
}

const replay = (ctx: DlqContext, id: string | null, force = false) => replayCommand(ctx, { id, reason: 'fixed', force });
const kept = (status: TaskState | null): TaskReplayReply => ({ reopened: false, previous_status: status });

void describe('replayCommand', () => {
  void it('reopens, publishes to the work queue, then acks', async () => {
    const msg = task();
    const h = harness([msg], { reopened: true, previous_status: 'failure' });
    assert.equal(await replay(h.ctx, TASK), 0);
    assert.deepEqual(h.asked, [TASK]);
    assert.equal(h.published.length, 1);
    assert.equal(h.published[0]?.queue, 'ml');
    assert.equal(h.published[0]?.options.messageId, TASK);
    assert.equal((h.published[0]?.options.headers as Record<string, unknown> | undefined)?.['mp-attempt'], 1);
    assert.deepEqual(h.acked, [msg]);
    assert.ok(h.released(), 'whatever was not acked goes back');
  });

  void it('still publishes for a task results no longer has, with a warning; and for a task already pending', async () => {
    for (const status of [null, 'pending'] as const) {
      const h = harness([task()], kept(status));
      assert.equal(await replay(h.ctx, TASK), 0);
      assert.equal(h.published.length, 1, String(status));
      assert.equal(h.acked.length, 1);
    }
    const missing = harness([task()], kept(null));
    await replay(missing.ctx, TASK);
    assert.match(missing.out.join('\n'), /WARNING: results has no such task/);
  });

  void it('refuses a task that succeeded or is running, unless --force', async () => {
    for (const status of ['success', 'started', 'retry'] as const) {
      const refused = harness([task()], kept(status));
      assert.equal(await replay(refused.ctx, TASK), 1, status);
      assert.equal(refused.published.length, 0);
      assert.equal(refused.acked.length, 0);
      assert.match(refused.err.join('\n'), /skipped/);

      const forced = harness([task()], kept(status));
      assert.equal(await replay(forced.ctx, TASK, true), 0, status);
      assert.equal(forced.published.length, 1);
      assert.equal(forced.acked.length, 1);
    }
  });

  void it('refuses a message that is not a task message unless --force, then sends it to its original queue as it is', async () => {
    const junk = message('{not json', undefined, { 'mp-death-reason': 'invalid_message', 'mp-original-queue': 'other' });
    const refused = harness([junk], new Error('must not be asked'));
    assert.equal(await replay(refused.ctx, null), 1);
    assert.equal(refused.published.length, 0);
    assert.equal(refused.acked.length, 0);

    const forced = harness([junk], new Error('must not be asked'));
    assert.equal(await replay(forced.ctx, null, true), 0);
    assert.deepEqual(forced.asked, [], 'no task id, nothing to reopen');
    assert.equal(forced.published[0]?.queue, 'other');
    assert.equal(forced.published[0]?.content, '{not json');
    assert.equal(forced.acked.length, 1);
  });

  void it('replaces every copy of one task by one publish', async () => {
    const copies = [task(), task()];
    const h = harness(copies, { reopened: true, previous_status: 'failure' });
    assert.equal(await replay(h.ctx, TASK), 0);
    assert.equal(h.published.length, 1);
    assert.deepEqual(h.acked, copies);
  });

  void it('acks nothing when results does not answer or the publish is not confirmed', async () => {
    const silent = harness([task()], new ResultsUnreachableError('no reply'));
    await assert.rejects(replay(silent.ctx, TASK), ResultsUnreachableError);
    assert.equal(silent.published.length, 0);
    assert.equal(silent.acked.length, 0);
    assert.ok(silent.released());

    const unconfirmed = harness([task()], { reopened: true, previous_status: 'failure' });
    unconfirmed.failPublishes();
    await assert.rejects(replay(unconfirmed.ctx, TASK), /not confirmed/);
    assert.equal(unconfirmed.acked.length, 0);
    assert.ok(unconfirmed.released());
  });

  void it('exits 1 for an unknown id, 0 for --all on an empty queue', async () => {
    const h = harness([task()], kept('failure'));
    assert.equal(await replay(h.ctx, 'nope'), 1);
    assert.match(h.err.join('\n'), /no message with id nope/);
    assert.equal(await replay(harness([], kept(null)).ctx, null), 0);
  });
});

void describe('replayCommand on a dead-lettered bundle (ADR 0012)', () => {
  const A = '11111111-1111-4111-8111-111111111111';
  const B = '22222222-2222-4222-8222-222222222222';
  const C = '33333333-3333-4333-8333-333333333333';
  const BUNDLE_ID = `bundle:${A}:3`;
  const deathHeaders = { 'mp-death-reason': 'delivery_limit', 'mp-original-queue': 'ml' };
  const bundleOf = (tasks: unknown[]) => message(JSON.stringify({ pattern: 'prediction.task-bundle.v1', data: { tasks } }), BUNDLE_ID, deathHeaders);
  const entries = [
    { task_id: A, match_id: 1, correlation_id: 'corr-a' },
    { task_id: B, match_id: 2 },
    { task_id: C, match_id: 3 },
  ];
  const reopened: TaskReplayReply = { reopened: true, previous_status: 'failure' };
  const body = (p: { content: string }) => JSON.parse(p.content) as { pattern: string; data: { task_id?: string; tasks?: { task_id: string }[] } };
  const headersOf = (p: { options: Options.Publish }) => p.options.headers as Record<string, unknown>;

  void it('replays every task alone for the bundle id, each with its own message id and correlation id, then acks the bundle', async () => {
    const msg = bundleOf(entries);
    const h = harness([msg], reopened);
    assert.equal(await replay(h.ctx, BUNDLE_ID), 0);
    assert.deepEqual(h.asked, [A, B, C]);
    assert.deepEqual(
      h.published.map((p) => [p.queue, body(p).pattern, body(p).data.task_id, p.options.messageId]),
      [A, B, C].map((id) => ['ml', 'prediction.task.v1', id, id]),
    );
    assert.equal(headersOf(h.published[0]!)['mp-correlation-id'], 'corr-a');
    assert.equal(headersOf(h.published[1]!)['mp-attempt'], 1);
    assert.equal(headersOf(h.published[1]!)['mp-death-reason'], undefined);
    assert.ok(!('correlation_id' in body(h.published[0]!).data), 'the correlation id travels in a header, as for a single task');
    assert.deepEqual(h.acked, [msg]);
  });

  void it('replays only the task named, and puts the rest back in the dead-letter queue as a smaller bundle', async () => {
    const msg = bundleOf(entries);
    const h = harness([msg], reopened);
    assert.equal(await replay(h.ctx, B), 0);
    assert.deepEqual(h.asked, [B]);
    assert.equal(h.published.length, 2);
    assert.deepEqual([h.published[0]!.queue, body(h.published[0]!).data.task_id], ['ml', B]);
    const rest = h.published[1]!;
    assert.equal(rest.queue, 'ml.dlq');
    assert.equal(body(rest).pattern, 'prediction.task-bundle.v1');
    assert.deepEqual(body(rest).data.tasks, [entries[0], entries[2]]);
    assert.equal(rest.options.messageId, `bundle:${A}:2`);
    assert.equal(headersOf(rest)['mp-death-reason'], 'delivery_limit', 'still says why it died');
    assert.deepEqual(h.acked, [msg], 'the original goes only after the rest is back');
  });

  void it('keeps refused and invalid tasks in the bundle, and exits 1', async () => {
    const msg = bundleOf([...entries, { task_id: 'nope', match_id: 4 }]);
    const h = harness([msg], (taskId) => (taskId === B ? { reopened: false, previous_status: 'success' } : reopened));
    assert.equal(await replay(h.ctx, BUNDLE_ID), 1);
    assert.deepEqual(h.asked, [A, B, C], 'an entry without a valid task id is never reopened');
    const rest = h.published.find((p) => p.queue === 'ml.dlq')!;
    assert.deepEqual(body(rest).data.tasks, [{ task_id: B, match_id: 2 }, { task_id: 'nope', match_id: 4 }]);
    assert.deepEqual(h.published.filter((p) => p.queue === 'ml').map((p) => body(p).data.task_id), [A, C]);
    assert.match(h.err.join('\n'), /skipped 22222222.*already succeeded/);
    assert.match(h.err.join('\n'), /not a valid task message/);
    assert.deepEqual(h.acked, [msg]);
  });

  void it('leaves the bundle untouched when nothing in it could be replayed', async () => {
    const msg = bundleOf(entries);
    const h = harness([msg], { reopened: false, previous_status: 'started' });
    assert.equal(await replay(h.ctx, null), 1);
    assert.equal(h.published.length, 0);
    assert.equal(h.acked.length, 0);
  });

  void it('acks nothing when a publish is not confirmed (the whole bundle stays to be replayed again)', async () => {
    const h = harness([bundleOf(entries)], reopened);
    h.failPublishes();
    await assert.rejects(replay(h.ctx, BUNDLE_ID), /not confirmed/);
    assert.equal(h.acked.length, 0);
  });
});

void describe('purgeCommand', () => {
  void it('asks unless --yes; refuses without a terminal; aborts on anything but yes', async () => {
    const h = harness([task(), task()], kept(null));
    assert.equal(await purgeCommand(h.ctx, { yes: false }, () => Promise.resolve(null)), 1);
    assert.equal(await purgeCommand(h.ctx, { yes: false }, () => Promise.resolve(false)), 1);
    assert.equal(await purgeCommand(h.ctx, { yes: false }, () => Promise.resolve(true)), 0);
    assert.equal(await purgeCommand(h.ctx, { yes: true }, () => Promise.reject(new Error('must not ask'))), 0);
    assert.match(h.out.join('\n'), /purged 2 message\(s\) from ml.dlq/);
  });
});
