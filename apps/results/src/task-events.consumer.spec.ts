import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Patterns } from '@app/contracts';
import { MessageSettler, type BrokerTopology, type Delivery } from '@app/messaging';
import type { ResultsConfig } from './results.config.js';
import { TaskEventsConsumer } from './task-events.consumer.js';
import type { TaskStateService } from './task-state.service.js';

const AT = '2026-11-28T10:00:00.000Z';
const started = { task_id: '6f1c2b4e-2a53-4a39-9f0e-3b8a7f1d2c01', attempt: 1, at: AT };

/** The consumer over a task-state stand-in (`recordStarted` resolves or throws) and a settler that records. */
function consumerWith(recordStarted: () => Promise<void>) {
  const settled: string[] = [];
  // The real settler's rules over a stand-in for its channel calls.
  const settler = Object.assign(new MessageSettler(), {
    ack: () => settled.push('ack'),
    reject: () => settled.push('reject'),
    requeueLater: (_ctx: unknown, ms: number) => settled.push(`requeue ${ms}`),
  });
  const tasks = { recordStarted } as unknown as TaskStateService;
  const consumer = new TaskEventsConsumer(tasks, settler, {} as BrokerTopology, {} as ResultsConfig);
  return { consumer, settled };
}

const delivery = (pattern: string | undefined, data: unknown, parseError?: string): Delivery => ({ ctx: {} as Delivery['ctx'], message: {} as Delivery['message'], pattern, data, parseError });

describe('TaskEventsConsumer settles as SettleMessageInterceptor did', () => {
  it('acks an event once applied', async () => {
    let applied = 0;
    const { consumer, settled } = consumerWith(() => Promise.resolve(void (applied += 1)));
    await consumer.apply(delivery(Patterns.taskStarted, started));
    assert.equal(applied, 1);
    assert.deepEqual(settled, ['ack']);
  });

  it('rejects an invalid payload without applying it', async () => {
    let applied = 0;
    const { consumer, settled } = consumerWith(() => Promise.resolve(void (applied += 1)));
    await consumer.apply(delivery(Patterns.taskStarted, { ...started, attempt: 'one' }));
    assert.equal(applied, 0);
    assert.deepEqual(settled, ['reject']);
  });

  it('rejects an unknown pattern, a prototype name and a body that is no envelope', async () => {
    const { consumer, settled } = consumerWith(() => Promise.resolve());
    await consumer.apply(delivery('task.unknown.v1', started));
    await consumer.apply(delivery('constructor', started));
    await consumer.apply(delivery(undefined, undefined, 'body is not JSON'));
    assert.deepEqual(settled, ['reject', 'reject', 'reject']);
  });

  it('requeues after a pause when applying fails for another reason (Redis away)', async () => {
    const { consumer, settled } = consumerWith(() => Promise.reject(new Error('Connection is closed.')));
    await consumer.apply(delivery(Patterns.taskStarted, started));
    assert.deepEqual(settled, ['requeue 1000']);
  });
});
