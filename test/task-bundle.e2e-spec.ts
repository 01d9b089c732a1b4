// Task bundles (ADR 0012) against the real broker and Redis: a bundle's tasks are scored as if each had come
// alone (one fails and is retried and dead-lettered alone), a bundle delivered again is split into single
// messages before anything in it is scored, a bundle whose envelope is wrong fails every task in it, and the
// gateway bundles the submissions it accepts together.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import { Patterns, TASK_BUNDLE_MAX_TASKS, type BatchRpcReply, type TaskCreateReply, type TaskView } from '@app/contracts';
import { buildTopology } from '@app/messaging';
import { AppProcess, deleteRedisKeys, deleteTopology, NestWireClient, TEST_AMQP_URL, testPort, uniquePrefix, waitFor } from '@app/testing';

const FAULTY = 987_654_321;
const prefix = uniquePrefix('bundle');
const topologyOptions = { prefix, retryDelaysMs: [200] };
const topology = buildTopology(topologyOptions);
const common = { QUEUE_PREFIX: prefix, REDIS_KEY_PREFIX: prefix, LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '0', TASK_MAX_ATTEMPTS: '2', TASK_RETRY_DELAY_MS: '200' };
let results: AppProcess;
let predictor: AppProcess;
let gateway: AppProcess;
let wire: NestWireClient;
let connection: ChannelModel;
let channel: ConfirmChannel;
let features: Record<string, number>;
let keySeq = 0;

const rpc = <T>(pattern: string, data: unknown) => wire.call<T>(topology.queues.resultsRpc, pattern, data);
const status = (taskId: string) => rpc<TaskView | null>(Patterns.taskStatus, { task_id: taskId });
const settledAs = (taskId: string, wanted: string, timeoutMs = 15_000) =>
  waitFor(async () => {
    const task = await status(taskId);
    return task?.status === wanted ? task : undefined;
  }, timeoutMs, `task ${taskId} to become ${wanted}`);

/** Tasks reserved in `results` as the gateway reserves them, ready to be put in a bundle by hand. */
async function createTasks(matchIds: number[]): Promise<string[]> {
  const items = matchIds.map((match_id) => ({ idempotency_key: `request:bundle-${++keySeq}`, request: { match_id } }));
  const reply = await rpc<BatchRpcReply<TaskCreateReply>>(Patterns.taskCreateMany, { items });
  return reply.items.map((item) => (item.ok ? item.value.task_id : assert.fail(JSON.stringify(item.error))));
}

function publishBundle(tasks: unknown[]): Promise<void> {
  return publish(Buffer.from(JSON.stringify({ pattern: Patterns.predictTaskBundle, data: { tasks } })));
}

interface Queued {
  pattern: string;
  taskIds: string[];
  content: Buffer;
}

/** Every message now in a queue, taken off it: pattern, task ids and body. */
async function drain(queue: string): Promise<Queued[]> {
  const found: Queued[] = [];
  for (;;) {
    const message = await channel.get(queue, { noAck: true });
    if (!message) return found;
    const { pattern, data } = JSON.parse(message.content.toString()) as { pattern: string; data: { task_id?: string; tasks?: { task_id: string }[] } };
    found.push({ pattern, taskIds: data.tasks ? data.tasks.map((t) => t.task_id) : [String(data.task_id)], content: message.content });
  }
}

function publish(content: Buffer): Promise<void> {
  return new Promise((resolve, reject) =>
    channel.sendToQueue(topology.queues.work, content, { persistent: true, contentType: 'application/json' }, (err: unknown) => (err ? reject(new Error('nacked')) : resolve())),
  );
}

describe('task bundles (ADR 0012)', () => {
  before(async () => {
    results = new AppProcess('results', testPort(), common);
    predictor = new AppProcess('predictor', testPort(), { ...common, FAULT_INJECT_FAIL_MATCH_IDS: String(FAULTY) });
    gateway = new AppProcess('api-gateway', testPort(), common);
    await Promise.all([results.start(), gateway.start()]);
    wire = await NestWireClient.connect(TEST_AMQP_URL);
    connection = await amqp.connect(TEST_AMQP_URL);
    channel = await connection.createConfirmChannel();
    const info = (await (await fetch(`${gateway.baseUrl}/predict/model/info`)).json()) as { features: string[] };
    features = Object.fromEntries(info.features.map((f) => [f, 0.25]));
  });

  after(async () => {
    await Promise.all([gateway.stop(), predictor.stop(), results.stop()]);
    await wire?.close();
    await connection?.close();
    await deleteTopology(topologyOptions);
    await deleteRedisKeys(prefix);
  });

  it('scores each task of a bundle as if it came alone: one that fails is retried and dead-lettered alone', async () => {
    const [ok1, faulty, invalid, ok2] = (await createTasks([1, FAULTY, 3, 4])) as [string, string, string, string];
    await predictor.start();
    await publishBundle([
      { task_id: ok1, match_id: 1, features, correlation_id: 'corr-bundle-1' },
      { task_id: faulty, match_id: FAULTY, features },
      { task_id: invalid, match_id: 3, features: { ...features, [Object.keys(features)[0]!]: 'not a number' } },
      { task_id: ok2, match_id: 4, features },
    ]);
    const [first, second] = [await settledAs(ok1, 'success'), await settledAs(ok2, 'success')];
    assert.equal(first.attempts, 1);
    assert.equal(second.result?.match_id, 4);
    const failed = await settledAs(faulty, 'failure');
    assert.equal(failed.attempts, 2, 'retried once, on its own, then dead-lettered');
    assert.match(String(failed.error), /attempts_exhausted/);
    assert.match(String((await settledAs(invalid, 'failure')).error), /invalid_message/);
    // The parking lot holds the two failed tasks as single messages, nothing of their bundle-mates.
    const parked = await waitFor(async () => {
      const depth = (await channel.checkQueue(topology.queues.deadLetter)).messageCount;
      return depth >= 2 ? drain(topology.queues.deadLetter) : undefined;
    }, 5000, 'two dead letters');
    assert.deepEqual(parked.map((p) => p.pattern), [Patterns.predictTask, Patterns.predictTask]);
    assert.deepEqual(parked.flatMap((p) => p.taskIds).sort(), [faulty, invalid].sort());
    await waitFor(async () => ((await channel.checkQueue(topology.queues.work)).messageCount === 0 ? true : undefined), 5000, 'an empty work queue');
  });

  it('splits a bundle delivered again into single messages before it scores anything in it', async () => {
    await predictor.stop();
    const ids = await createTasks([11, 12, 13]);
    await publishBundle(ids.map((task_id, i) => ({ task_id, match_id: 11 + i, features })));
    // Taken and handed back unacked: the broker now delivers it as redelivered, as after a predictor crash.
    const taken = await waitFor(async () => (await channel.get(topology.queues.work)) || undefined, 5000, 'the bundle');
    channel.nack(taken, false, true);
    await predictor.start();
    for (const id of ids) assert.equal((await settledAs(id, 'success')).attempts, 1);
    assert.ok(
      predictor.stdout().some((line) => line.includes('a bundle came back')),
      'the predictor requeued the redelivered bundle task by task',
    );
  });

  it('fails every task of a bundle whose envelope is wrong (too many tasks)', async () => {
    const ids = await createTasks(Array.from({ length: TASK_BUNDLE_MAX_TASKS + 1 }, (_, i) => 100 + i));
    await publishBundle(ids.map((task_id, i) => ({ task_id, match_id: 100 + i, features })));
    for (const id of [ids[0]!, ids.at(-1)!]) assert.match(String((await settledAs(id, 'failure')).error), /invalid_message/);
    await waitFor(async () => ((await channel.checkQueue(topology.queues.deadLetter)).messageCount === 1 ? true : undefined), 5000, 'the bundle parked');
    const [parked] = await drain(topology.queues.deadLetter);
    assert.equal(parked?.pattern, Patterns.predictTaskBundle);
    assert.equal(parked?.taskIds.length, TASK_BUNDLE_MAX_TASKS + 1);
  });

  it('bundles the submissions the gateway accepts together, and each gets its own result', async () => {
    await predictor.stop();
    const submitted = await Promise.all(
      Array.from({ length: 24 }, async (_, i) => {
        const res = await fetch(`${gateway.baseUrl}/predict/async/`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ match_id: 200 + i, features: { ...features, [Object.keys(features)[0]!]: i / 100 } }),
        });
        assert.equal(res.status, 202);
        return ((await res.json()) as { task_id: string }).task_id;
      }),
    );
    const queued = await drain(topology.queues.work);
    assert.deepEqual(queued.flatMap((m) => m.taskIds).sort(), [...submitted].sort(), 'every accepted task is queued, once');
    assert.ok(queued.some((m) => m.pattern === Patterns.predictTaskBundle), `some went as a bundle (${queued.map((m) => m.taskIds.length).join(', ')} tasks per message)`);
    // Put back as they were, then scored: each task gets the result of its own match.
    for (const m of queued) await publish(m.content);
    await predictor.start();
    for (const [i, id] of submitted.entries()) assert.equal((await settledAs(id, 'success')).result?.match_id, 200 + i);
  });
});
