import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskState, TaskView } from '@app/contracts';
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

const view = (task_id: string, status: TaskState): TaskView => ({ task_id, status, match_id: 7, attempts: 1, submitted_at: 's', updated_at: 'u' });

describe('TaskSettledPublisher', () => {
  it('sends the tasks noted in one turn of the event loop as one transient notice, each with its record', async () => {
    const { topology, sent } = broker();
    const publisher = new TaskSettledPublisher(topology);
    publisher.note(view('a', 'success'));
    publisher.note(view('b', 'failure'));
    await tick();
    publisher.note(view('c', 'retry'));
    await tick();
    assert.deepEqual(sent, [
      {
        exchange: 'x.tasks.settled',
        pattern: 'task.settled.v1',
        data: { tasks: [{ task_id: 'a', status: 'success', record: view('a', 'success') }, { task_id: 'b', status: 'failure', record: view('b', 'failure') }] },
        persistent: false,
      },
      { exchange: 'x.tasks.settled', pattern: 'task.settled.v1', data: { tasks: [{ task_id: 'c', status: 'retry', record: view('c', 'retry') }] }, persistent: false },
    ]);
  });

  it("keeps one entry per task, its latest change: a batch's started then success, or a replay after a failure", async () => {
    const { topology, sent } = broker();
    const publisher = new TaskSettledPublisher(topology);
    publisher.note(view('a', 'started'));
    publisher.note(view('b', 'failure'));
    publisher.note(view('a', 'success'));
    publisher.reopened('b');
    await tick();
    assert.deepEqual(sent.map((s) => s.data), [{ tasks: [{ task_id: 'a', status: 'success', record: view('a', 'success') }, { task_id: 'b', status: 'pending' }] }]);
  });

  it('drops notices while the broker is away rather than queueing stale ones', async () => {
    const { topology, sent } = broker(false);
    new TaskSettledPublisher(topology).note(view('a', 'success'));
    await tick();
    assert.deepEqual(sent, []);
  });
});
