import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Patterns } from '@app/contracts';
import type { EventPublisher, PublishOptions } from '@app/messaging';
import { GatewayConfig } from './gateway.config.js';
import { TaskPublisher } from './task-publisher.js';

const ID = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;

/** An EventPublisher that records each message and confirms it (or fails it) when the test says. */
function events(fail?: Error) {
  const sent: { pattern: string; payload: unknown; options: PublishOptions }[] = [];
  const publisher = {
    publish: (pattern: string, payload: unknown, options: PublishOptions) => {
      sent.push({ pattern, payload, options });
      return fail ? Promise.reject(fail) : Promise.resolve();
    },
  } as unknown as EventPublisher;
  return { sent, publisher };
}

const config = new GatewayConfig();

describe('TaskPublisher', () => {
  it('sends a task alone as the single prediction.task.v1 message, its correlation id in the header', async () => {
    const { sent, publisher } = events();
    await new TaskPublisher(publisher, config).enqueue({ task_id: ID(1), match_id: 7, features: { elo_diff: 1 }, correlation_id: 'corr-1' });
    assert.deepEqual(sent, [
      {
        pattern: Patterns.predictTask,
        payload: { task_id: ID(1), match_id: 7, features: { elo_diff: 1 } },
        options: { messageId: ID(1), confirmTimeoutMs: config.PUBLISH_CONFIRM_TIMEOUT_MS, headers: { 'mp-correlation-id': 'corr-1' } },
      },
    ]);
  });

  it('sends the tasks enqueued in one turn of the event loop as one bundle, each with its own valid correlation id', async () => {
    const { sent, publisher } = events();
    const tasks = new TaskPublisher(publisher, config);
    await Promise.all([
      tasks.enqueue({ task_id: ID(1), match_id: 1, correlation_id: 'corr-1' }),
      tasks.enqueue({ task_id: ID(2), match_id: 2 }),
      tasks.enqueue({ task_id: ID(3), match_id: 3, correlation_id: 'not a valid id\n' }),
    ]);
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.pattern, Patterns.predictTaskBundle);
    assert.deepEqual(sent[0]!.payload, {
      tasks: [
        { task_id: ID(1), match_id: 1, correlation_id: 'corr-1' },
        { task_id: ID(2), match_id: 2 },
        { task_id: ID(3), match_id: 3 },
      ],
    });
    assert.equal(sent[0]!.options.messageId, `bundle:${ID(1)}:3`);
  });

  it("fails every task of a message the broker did not confirm, each with the publish's error", async () => {
    const { publisher } = events(new Error('no broker confirm'));
    const tasks = new TaskPublisher(publisher, config);
    const outcomes = await Promise.allSettled([tasks.enqueue({ task_id: ID(1), match_id: 1 }), tasks.enqueue({ task_id: ID(2), match_id: 2 })]);
    assert.deepEqual(
      outcomes.map((o) => o.status === 'rejected' && (o.reason as Error).message),
      ['no broker confirm', 'no broker confirm'],
    );
  });
});
