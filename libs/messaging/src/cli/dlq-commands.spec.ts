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
function harness(messages: ConsumeMessage[], reply: TaskReplayReply | Error) {
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
        return reply instanceof Error ? Promise.reject(reply) : Promise.resolve(reply);
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
