import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeEvent, type BrokerTopology } from '@app/messaging';
import { TaskSettledPublisher } from './task-settled.publisher.js';

/** A broker stand-in that records what is published to which exchange. */
function broker(connected = true) {
  const sent: { exchange: string; pattern: string | undefined; data: unknown; persistent: boolean | undefined }[] = [];
  const topology = {
    topology: { settledExchange: 'x.tasks.settled' },
    isConnected: () => connected,
    publish: (exchange: string, _key: string, content: Buffer, options: { persistent?: boolean }) => {
      const envelope = decodeEvent(content);
      sent.push({ exchange, pattern: envelope?.pattern, data: envelope?.data, persistent: options.persistent });
      return Promise.resolve();
    },
  } as unknown as BrokerTopology;
  return { topology, sent };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('TaskSettledPublisher', () => {
  it('sends the tasks noted in one turn of the event loop as one transient notice', async () => {
    const { topology, sent } = broker();
    const publisher = new TaskSettledPublisher(topology);
    publisher.note('a', 'success');
    publisher.note('b', 'failure');
    await tick();
    publisher.note('c', 'success');
    await tick();
    assert.deepEqual(sent, [
      { exchange: 'x.tasks.settled', pattern: 'task.settled.v1', data: { tasks: [{ task_id: 'a', status: 'success' }, { task_id: 'b', status: 'failure' }] }, persistent: false },
      { exchange: 'x.tasks.settled', pattern: 'task.settled.v1', data: { tasks: [{ task_id: 'c', status: 'success' }] }, persistent: false },
    ]);
  });

  it('drops notices while the broker is away rather than queueing stale ones', async () => {
    const { topology, sent } = broker(false);
    new TaskSettledPublisher(topology).note('a', 'success');
    await tick();
    assert.deepEqual(sent, []);
  });
});
