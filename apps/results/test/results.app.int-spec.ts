import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Patterns, type BatchRpcReply, type TaskCreateReply, type TaskQueuedReply, type TaskView } from '@app/contracts';
import { BrokerTopology, Headers, type Topology } from '@app/messaging';
import { NestWireClient, TcpProxy, TEST_AMQP_URL, TEST_REDIS_URL, deleteRedisKeys, deleteTopology, uniquePrefix, waitFor } from '@app/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { bootstrap } from '../src/bootstrap.js';
import { resultsTopologyOptions } from '../src/results.module.js';

const RESULT = {
  match_id: 11,
  predicted_class: 2,
  probabilities: { '0': 0.2, '1': 0.3, '2': 0.5 },
  model_version: '1',
  model_run_id: 'run',
  predicted_outcome: 'away_win',
  model_name: 'm',
  features_source: 'inline',
  backend: 'cpu',
};

void describe('results app (real RabbitMQ and Redis)', () => {
  const prefix = uniquePrefix('results');
  let app: NestFastifyApplication | undefined;
  let wire: NestWireClient;
  let topology: Topology;
  let baseUrl: string;
  let keySeq = 0;
  // The app reaches Redis through a proxy the outage test can cut.
  const redisProxy = TcpProxy.inFrontOf(TEST_REDIS_URL, 6379);

  const create = (matchId = 11) =>
    wire.call<TaskCreateReply>(topology.queues.resultsRpc, Patterns.taskCreate, {
      idempotency_key: `it:${++keySeq}`,
      request: { match_id: matchId },
    });
  const status = (taskId: string) => wire.call<TaskView | null>(topology.queues.resultsRpc, Patterns.taskStatus, { task_id: taskId });
  const event = (pattern: string, data: unknown) => wire.emit(topology.queues.events, pattern, data);
  const statusBecomes = (taskId: string, wanted: string, timeoutMs = 5000) =>
    waitFor(async () => {
      const view = await status(taskId);
      return view?.status === wanted ? view : undefined;
    }, timeoutMs, `task ${taskId} to become ${wanted}`);
  const at = () => new Date().toISOString();
  /** task_state_transitions_total by its `to` label. */
  const transitions = async (): Promise<Record<string, number>> => {
    const text = await (await fetch(`${baseUrl}/metrics`)).text();
    const counts: Record<string, number> = {};
    for (const [, to, value] of text.matchAll(/^task_state_transitions_total\{[^}]*to="([a-z]+)"[^}]*\} (\S+)$/gm)) counts[to!] = Number(value);
    return counts;
  };

  before(async () => {
    await redisProxy.up();
    const redisUrl = redisProxy.urlThrough(TEST_REDIS_URL);
    // Prefetch 1: one message in flight per queue, so a message left unsettled would block the next one.
    app = await bootstrap({
      ...process.env,
      HTTP_PORT: '0',
      QUEUE_PREFIX: prefix,
      REDIS_KEY_PREFIX: prefix,
      REDIS_URL: redisUrl,
      RESULTS_PREFETCH: '1',
      LOG_LEVEL: 'error',
    });
    topology = app.get(BrokerTopology).topology;
    baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    wire = await NestWireClient.connect(TEST_AMQP_URL);
  });

  after(async () => {
    await wire?.close();
    await app?.close();
    await redisProxy.down();
    await deleteTopology(resultsTopologyOptions({ QUEUE_PREFIX: prefix }));
    await deleteRedisKeys(prefix);
  });

  void it('creates a task and reports its status over RPC', async () => {
    const created = await create(11);
    assert.equal(created.created, true);
    assert.equal(created.status, 'pending');
    const view = await status(created.task_id);
    assert.equal(view?.task_id, created.task_id);
    assert.equal(view?.status, 'pending');
    assert.equal(view?.match_id, 11);
    assert.equal(view?.attempts, 0);
  });

  void it('returns the same task for the same idempotency key', async () => {
    const message = { idempotency_key: 'it:same', request: { match_id: 5, features: { elo_diff: 1.5 } } };
    const first = await wire.call<TaskCreateReply>(topology.queues.resultsRpc, Patterns.taskCreate, message);
    const again = await wire.call<TaskCreateReply>(topology.queues.resultsRpc, Patterns.taskCreate, message);
    assert.deepEqual(again, { task_id: first.task_id, created: false, status: 'pending', queued: false });
  });

  void it('answers null for an unknown task, and invalid_message for an invalid request', async () => {
    assert.equal(await status(randomUUID()), null);
    const reply = await wire.request(topology.queues.resultsRpc, Patterns.taskStatus, { task_id: 'nope' });
    assert.equal((reply.err as { code?: string }).code, 'invalid_message');
    const bad = await wire.request(topology.queues.resultsRpc, Patterns.taskCreate, { idempotency_key: 'a b', request: { match_id: 0 } });
    assert.equal((bad.err as { code?: string }).code, 'invalid_message');
  });

  void it('abandons a pending task over RPC', async () => {
    const message = { idempotency_key: 'it:abandon', request: { match_id: 3 } };
    const created = await wire.call<TaskCreateReply>(topology.queues.resultsRpc, Patterns.taskCreate, message);
    const abandon = { task_id: created.task_id, idempotency_key: message.idempotency_key, reason: 'broker refused the task' };
    assert.deepEqual(await wire.call(topology.queues.resultsRpc, Patterns.taskAbandon, abandon), { abandoned: true });
    assert.equal(await status(created.task_id), null);
    assert.deepEqual(await wire.call(topology.queues.resultsRpc, Patterns.taskAbandon, abandon), { abandoned: false });
  });

  void it('moves a task through started and succeeded events, and not back', async () => {
    const { task_id } = await create();
    event(Patterns.taskStarted, { task_id, attempt: 1, at: at() });
    await statusBecomes(task_id, 'started');
    event(Patterns.taskRetrying, { task_id, attempt: 1, at: at(), error: 'model busy', retry_in_ms: 100 });
    const retrying = await statusBecomes(task_id, 'retry');
    assert.equal(retrying.error, 'model busy');
    event(Patterns.taskStarted, { task_id, attempt: 2, at: at() });
    event(Patterns.taskSucceeded, { task_id, attempt: 2, at: at(), result: RESULT });
    const done = await statusBecomes(task_id, 'success');
    assert.deepEqual(done.result, RESULT);
    assert.equal(done.attempts, 2);

    // Late and duplicate events, then a marker: once the marker is applied, the ones before it were handled.
    event(Patterns.taskStarted, { task_id, attempt: 3, at: at() });
    event(Patterns.taskRetrying, { task_id, attempt: 2, at: at(), error: 'late', retry_in_ms: 1 });
    event(Patterns.taskSucceeded, { task_id, attempt: 3, at: at(), result: { ...RESULT, predicted_class: 0 } });
    const marker = await create();
    event(Patterns.taskStarted, { task_id: marker.task_id, attempt: 1, at: at() });
    await statusBecomes(marker.task_id, 'started');
    const after = await status(task_id);
    assert.equal(after?.status, 'success');
    assert.deepEqual(after?.result, RESULT);
    assert.equal(after?.error, undefined);
  });

  void it('applies a predictor batch: every started attempt, then every success, in one message', async () => {
    const [a, b, c] = [await create(31), await create(32), await create(33)];
    event(Patterns.taskBatch, {
      started: [a, b, c].map(({ task_id }) => ({ task_id, attempt: 1, at: at() })),
      succeeded: [a, b].map(({ task_id }) => ({ task_id, attempt: 1, at: at(), result: RESULT })),
    });
    const done = await statusBecomes(a.task_id, 'success');
    assert.deepEqual(done.result, RESULT);
    assert.equal((await status(b.task_id))?.status, 'success');
    assert.equal((await status(c.task_id))?.status, 'started', 'started but not succeeded');
    // A redelivered batch changes nothing.
    event(Patterns.taskBatch, { started: [{ task_id: a.task_id, attempt: 1, at: at() }], succeeded: [] });
    event(Patterns.taskStarted, { task_id: c.task_id, attempt: 2, at: at() });
    await waitFor(async () => ((await status(c.task_id))?.attempts === 2 ? true : undefined), 5000, 'the marker event');
    assert.equal((await status(a.task_id))?.status, 'success');
  });

  void it('applies a compact batch (task.batch.v2) as its v1 form: the model named once, the full prediction stored', async () => {
    const [a, b] = [await create(34), await create(35)];
    const counted = await transitions();
    const { model_name, model_version, model_run_id, backend } = RESULT;
    event(Patterns.taskBatchV2, {
      at: at(),
      model: { model_name, model_version, model_run_id, backend },
      scored: [{ task_id: a.task_id, attempt: 1, correlation_id: 'req-v2', match_id: 11, predicted_class: 2, probabilities: [0.2, 0.3, 0.5], features_source: 'inline' }],
      unscored: [{ task_id: b.task_id, attempt: 1 }],
    });
    const done = await statusBecomes(a.task_id, 'success');
    assert.deepEqual(done.result, RESULT);
    assert.equal((await status(b.task_id))?.status, 'started', 'started but not scored');
    const now = await transitions();
    const delta = (to: string) => (now[to] ?? 0) - (counted[to] ?? 0);
    assert.deepEqual({ started: delta('started'), success: delta('success') }, { started: 2, success: 1 });
    // An invalid compact batch is refused whole (to the dead-letter exchange), nothing applied.
    const c = await create(36);
    event(Patterns.taskBatchV2, { at: at(), model: {}, scored: [], unscored: [{ task_id: c.task_id, attempt: 1 }] });
    const marker = await create();
    event(Patterns.taskStarted, { task_id: marker.task_id, attempt: 1, at: at() });
    await statusBecomes(marker.task_id, 'started');
    assert.equal((await status(c.task_id))?.status, 'pending');
  });

  void it('applies a batch task by task: started only, succeeded only, unknown and finished tasks, each write counted', async () => {
    const [both, startedOnly, succeededOnly, finished] = [await create(), await create(), await create(), await create()];
    event(Patterns.taskSucceeded, { task_id: finished.task_id, attempt: 1, at: at(), result: RESULT });
    await statusBecomes(finished.task_id, 'success');
    const ghost = randomUUID();
    const counted = await transitions();
    event(Patterns.taskBatch, {
      started: [both, startedOnly, finished, { task_id: ghost }].map(({ task_id }) => ({ task_id, attempt: 1, at: at() })),
      succeeded: [both, succeededOnly, finished, { task_id: ghost }].map(({ task_id }) => ({ task_id, attempt: 1, at: at(), result: RESULT })),
    });
    const marker = await create();
    event(Patterns.taskStarted, { task_id: marker.task_id, attempt: 1, at: at() });
    await statusBecomes(marker.task_id, 'started');

    assert.equal((await status(both.task_id))?.status, 'success');
    assert.equal((await status(startedOnly.task_id))?.status, 'started');
    const done = await status(succeededOnly.task_id);
    assert.equal(done?.status, 'success');
    assert.deepEqual(done?.result, RESULT);
    assert.equal(await status(ghost), null, 'never created');
    const now = await transitions();
    const delta = (to: string) => (now[to] ?? 0) - (counted[to] ?? 0);
    // started: both, startedOnly, and the marker; success: both, succeededOnly; ignored: finished twice, ghost twice.
    assert.deepEqual({ started: delta('started'), success: delta('success'), ignored: delta('ignored') }, { started: 3, success: 2, ignored: 4 });
  });

  void it('answers the many-at-once RPCs item by item, each as its single RPC would', async () => {
    const created = await wire.call<BatchRpcReply<TaskCreateReply>>(topology.queues.resultsRpc, Patterns.taskCreateMany, {
      items: [
        { idempotency_key: 'it:many:1', request: { match_id: 41 } },
        { idempotency_key: 'bad key', request: { match_id: 42 } },
        { idempotency_key: 'it:many:1', request: { match_id: 41 } },
      ],
    });
    assert.equal(created.items.length, 3);
    const [first, bad, again] = created.items;
    assert.ok(first?.ok && first.value.created);
    assert.ok(bad && !bad.ok && bad.error.code === 'invalid_message');
    assert.ok(again?.ok && !again.value.created && again.value.task_id === first.value.task_id, 'the same key in one batch is one task');
    const taskId = first.value.task_id;
    const queued = await wire.call<BatchRpcReply<TaskQueuedReply>>(topology.queues.resultsRpc, Patterns.taskQueuedMany, {
      items: [{ task_id: taskId }, { task_id: randomUUID() }],
    });
    assert.deepEqual(queued.items, [{ ok: true, value: { marked: true } }, { ok: true, value: { marked: false } }]);
    const statuses = await wire.call<BatchRpcReply<TaskView | null>>(topology.queues.resultsRpc, Patterns.taskStatusMany, {
      items: [{ task_id: taskId }, { task_id: randomUUID() }, { task_id: 'nope' }],
    });
    const [known, unknown, invalid] = statuses.items;
    assert.ok(known?.ok && known.value?.status === 'pending' && known.value.task_id === taskId);
    assert.deepEqual(unknown, { ok: true, value: null });
    assert.ok(invalid && !invalid.ok && invalid.error.code === 'invalid_message');
    const oversized = await wire.request(topology.queues.resultsRpc, Patterns.taskStatusMany, { items: new Array(513).fill({ task_id: taskId }) });
    assert.equal((oversized.err as { code?: string }).code, 'invalid_message');
  });

  void it("applies the queued notes of a create batch before its creates, and skips a note it cannot read", async () => {
    const first = await wire.call<BatchRpcReply<TaskCreateReply>>(topology.queues.resultsRpc, Patterns.taskCreateMany, {
      items: [{ idempotency_key: 'it:notes:1', request: { match_id: 51 } }],
    });
    const reserved = first.items[0];
    assert.ok(reserved?.ok && reserved.value.created && !reserved.value.queued);
    // The gateway's next batch: an identical submission, with the note that the first one's message is queued.
    const next = await wire.call<BatchRpcReply<TaskCreateReply>>(topology.queues.resultsRpc, Patterns.taskCreateMany, {
      items: [{ idempotency_key: 'it:notes:1', request: { match_id: 51 } }],
      queued: [{ task_id: reserved.value.task_id }, { task_id: 'not-a-uuid' }, { task_id: randomUUID() }],
    });
    assert.deepEqual(next.items, [{ ok: true, value: { task_id: reserved.value.task_id, created: false, status: 'pending', queued: true } }]);
    const stray = await wire.request(topology.queues.resultsRpc, Patterns.taskCreateMany, { items: [], queued: 'all' });
    assert.equal((stray.err as { code?: string }).code, 'invalid_message');
  });

  void it('ignores events for a task that does not exist, without creating it', async () => {
    const ghost = randomUUID();
    event(Patterns.taskSucceeded, { task_id: ghost, attempt: 1, at: at(), result: RESULT });
    const marker = await create();
    event(Patterns.taskStarted, { task_id: marker.task_id, attempt: 1, at: at() });
    await statusBecomes(marker.task_id, 'started');
    assert.equal(await status(ghost), null);
  });

  void it('marks a task failed when its message reaches the dead-letter exchange, with our reason header', async () => {
    const { task_id } = await create(21);
    event(Patterns.taskStarted, { task_id, attempt: 3, at: at() });
    await statusBecomes(task_id, 'started');
    wire.publish(topology.deadLetterExchange, '', Patterns.predictTask, { task_id, match_id: 21 }, {
      headers: { [Headers.deathReason]: 'attempts_exhausted', [Headers.deathError]: 'model exploded', [Headers.attempt]: 3 },
    });
    const failed = await statusBecomes(task_id, 'failure');
    assert.equal(failed.error, 'attempts_exhausted: model exploded');
    assert.equal(failed.attempts, 3);

    // A late success cannot overwrite the failure.
    event(Patterns.taskSucceeded, { task_id, attempt: 3, at: at(), result: RESULT });
    const marker = await create();
    event(Patterns.taskStarted, { task_id: marker.task_id, attempt: 1, at: at() });
    await statusBecomes(marker.task_id, 'started');
    assert.equal((await status(task_id))?.status, 'failure');
  });

  void it('marks a task failed with the broker reason when the broker dead-letters its message', async () => {
    const { task_id } = await create(22);
    wire.emit(topology.queues.work, Patterns.predictTask, { task_id, match_id: 22 });
    const delivery = await waitFor(async () => (await wire.channel.get(topology.queues.work)) || undefined, 5000, 'the task message');
    wire.channel.nack(delivery, false, false); // → x-dead-letter-exchange, x-first-death-reason: rejected
    const failed = await statusBecomes(task_id, 'failure');
    assert.equal(failed.error, 'rejected: no error detail');
  });

  void it('acks a dead-lettered message without a task id, and keeps consuming', async () => {
    wire.publish(topology.deadLetterExchange, '', Patterns.predictTask, { match_id: 1 }, { headers: { [Headers.deathReason]: 'invalid_message' } });
    wire.publish(topology.deadLetterExchange, '', Patterns.predictTask, 'not even an object', { headers: { [Headers.deathReason]: 'invalid_message' } });
    const { task_id } = await create();
    wire.publish(topology.deadLetterExchange, '', Patterns.predictTask, { task_id, match_id: 1 }, { headers: { [Headers.deathReason]: 'permanent_error' } });
    await statusBecomes(task_id, 'failure');
    const queue = await wire.channel.checkQueue(topology.queues.deadLetterEvents);
    assert.equal(queue.messageCount, 0);
  });

  void it('rejects an invalid event (it leaves the queue) and keeps consuming the next ones', async () => {
    const { task_id } = await create();
    event(Patterns.taskStarted, { task_id, attempt: 0, at: at() });
    event(Patterns.taskSucceeded, { task_id: 'not-a-uuid', attempt: 1, at: at(), result: RESULT });
    event(Patterns.taskStarted, { task_id, attempt: 1, at: at(), extra: 'field' });
    event(Patterns.taskStarted, { task_id, attempt: 1, at: at() });
    // Prefetch is 1: had any invalid event stayed unsettled, this valid one could never be delivered.
    await statusBecomes(task_id, 'started');
    const queue = await wire.channel.checkQueue(topology.queues.events);
    assert.equal(queue.messageCount, 0, 'nothing was requeued');
  });

  void it('serves readiness, liveness and metrics over HTTP', async () => {
    const ready = await fetch(`${baseUrl}/health/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready', checks: { broker: true, rpc_queue: true, events_queue: true, redis: true } });
    assert.equal((await fetch(`${baseUrl}/health/live`)).status, 200);
    const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
    for (const to of ['pending', 'started', 'retry', 'success', 'failure', 'ignored']) {
      assert.match(metrics, new RegExp(`task_state_transitions_total\\{[^}]*to="${to}"[^}]*\\} [1-9]`), to);
    }
    assert.match(metrics, /http_request_duration_seconds_count\{[^}]*route="\/health\/ready"/);
  });

  void it('rides out a Redis outage: RPCs answer not_ready, an event is requeued and applied once Redis is back', async () => {
    const { task_id } = await create();
    await redisProxy.down();
    try {
      const reply = await wire.request(topology.queues.resultsRpc, Patterns.taskStatus, { task_id }, 10_000);
      assert.equal((reply.err as { code?: string }).code, 'not_ready');
      const ready = await fetch(`${baseUrl}/health/ready`);
      assert.equal(ready.status, 503);
      assert.deepEqual(await ready.json(), { status: 'not_ready', checks: { broker: true, rpc_queue: true, events_queue: true, redis: false } });
      event(Patterns.taskStarted, { task_id, attempt: 1, at: at() });
      await new Promise((r) => setTimeout(r, 2500)); // long enough to fail and be requeued at least once
    } finally {
      await redisProxy.up();
    }
    await statusBecomes(task_id, 'started', 15_000);
    const ready = await fetch(`${baseUrl}/health/ready`);
    assert.equal(ready.status, 200);
  });

  void it('leaves no message behind once closed (every delivery was settled)', async () => {
    await app?.close();
    app = undefined;
    for (const queue of [topology.queues.resultsRpc, topology.queues.events, topology.queues.deadLetterEvents]) {
      const info = await wire.channel.checkQueue(queue);
      assert.equal(info.messageCount, 0, queue);
      assert.equal(info.consumerCount, 0, queue);
    }
  });
});
