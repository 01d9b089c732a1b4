// The dead-letter tool (`npm run dlq`) end to end, without a predictor: task messages are dead-lettered the way
// the predictor does it (MessageSettler.deadLetter on a delivery from the work queue) or by the broker (a
// rejected delivery), plus a body that is not JSON; the compiled CLI is spawned as an operator would run it,
// against a results app booted in-process, all under a unique queue and key prefix.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Patterns, type TaskCreateReply, type TaskReplayReply, type TaskView } from '@app/contracts';
import { BrokerTopology, Headers, MessageSettler, assertTopology, buildTopology, type Topology } from '@app/messaging';
import { NestWireClient, TEST_AMQP_URL, deleteRedisKeys, deleteTopology, uniquePrefix, waitFor } from '@app/testing';
import { RmqContext } from '@nestjs/microservices';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import amqp, { type ChannelModel, type ConfirmChannel, type GetMessage } from 'amqplib';
import { bootstrap } from '../src/bootstrap.js';
import { resultsTopologyOptions } from '../src/results.module.js';

// <out>/apps/results/test/ → <out>/libs/messaging/src/cli/dlq.cli.js: the CLI of the same build.
const CLI = fileURLToPath(new URL('../../../libs/messaging/src/cli/dlq.cli.js', import.meta.url));

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface ListedMessage {
  id: string;
  kind: string;
  task_id: string | null;
  match_id: number | null;
  reason: string;
  error: string | null;
  attempts: number | null;
  original_queue: string | null;
  dead_lettered_at: string | null;
  body_bytes: number;
  problem: string | null;
  tasks: { task_id: string | null; match_id: number | null; problem: string | null }[] | null;
}

void describe('dlq CLI (real RabbitMQ, results app in-process)', () => {
  const prefix = uniquePrefix('dlq');
  let app: NestFastifyApplication | undefined;
  let topology: Topology;
  let wire: NestWireClient;
  let connection: ChannelModel;
  let channel: ConfirmChannel;
  const settler = new MessageSettler();
  let keySeq = 0;

  const dlq = (...args: string[]) => runCli(args, { QUEUE_PREFIX: prefix, AMQP_URL: TEST_AMQP_URL });
  const rpc = <T>(pattern: string, data: unknown) => wire.call<T>(topology.queues.resultsRpc, pattern, data);
  const status = (taskId: string) => rpc<TaskView | null>(Patterns.taskStatus, { task_id: taskId });
  const statusBecomes = (taskId: string, wanted: string) =>
    waitFor(async () => ((await status(taskId))?.status === wanted ? true : undefined), 5000, `task ${taskId} to become ${wanted}`);
  const createTask = async (matchId: number) =>
    (await rpc<TaskCreateReply>(Patterns.taskCreate, { idempotency_key: `dlq:${++keySeq}`, request: { match_id: matchId } })).task_id;
  const count = async (queue: string) => (await channel.checkQueue(queue)).messageCount;

  /** Publishes a task message to the work queue the way the gateway does, and takes that delivery back. */
  async function deliveryFromWorkQueue(body: Buffer, messageId?: string): Promise<GetMessage> {
    await publishConfirmed(topology.queues.work, body, { persistent: true, contentType: 'application/json', ...(messageId ? { messageId } : {}) });
    return waitFor(async () => (await channel.get(topology.queues.work)) || undefined, 5000, 'the delivery from the work queue');
  }

  /** Dead-letters a delivery exactly as the predictor does: MessageSettler.deadLetter on its own channel. */
  async function deadLetterLikeThePredictor(body: Buffer, messageId: string | undefined, reason: string, error: string, attempt: number): Promise<void> {
    const delivery = await deliveryFromWorkQueue(body, messageId);
    const ctx = new RmqContext([delivery, channel, Patterns.predictTask]);
    await settler.deadLetter(ctx, topology.deadLetterExchange, reason, error, attempt);
  }

  function publishConfirmed(queue: string, body: Buffer, options: amqp.Options.Publish): Promise<void> {
    return new Promise((resolve, reject) => channel.sendToQueue(queue, body, options, (err: unknown) => (err ? reject(new Error('nack')) : resolve())));
  }

  const taskBody = (taskId: string, matchId: number) => Buffer.from(JSON.stringify({ pattern: Patterns.predictTask, data: { task_id: taskId, match_id: matchId } }));

  let exhausted: string; // dead-lettered by the "predictor" after its last attempt
  let rejected: string; // dead-lettered by the broker (a rejected delivery)
  let invalidId: string; // a body that is not JSON

  before(async () => {
    app = await bootstrap({ ...process.env, HTTP_PORT: '0', QUEUE_PREFIX: prefix, REDIS_KEY_PREFIX: prefix, LOG_LEVEL: 'error' });
    topology = app.get(BrokerTopology).topology;
    wire = await NestWireClient.connect(TEST_AMQP_URL);
    connection = await amqp.connect(TEST_AMQP_URL);
    channel = await connection.createConfirmChannel();

    exhausted = await createTask(101);
    wire.emit(topology.queues.events, Patterns.taskStarted, { task_id: exhausted, attempt: 3, at: new Date().toISOString() });
    await statusBecomes(exhausted, 'started');
    await deadLetterLikeThePredictor(taskBody(exhausted, 101), exhausted, 'attempts_exhausted', 'model exploded', 3);

    rejected = await createTask(102);
    const delivery = await deliveryFromWorkQueue(taskBody(rejected, 102), rejected);
    channel.nack(delivery, false, false); // the work queue's dead-letter exchange: x-death, reason "rejected"

    await deadLetterLikeThePredictor(Buffer.from('{not json'), undefined, 'invalid_message', 'Unexpected token n in JSON', 1);

    await statusBecomes(exhausted, 'failure');
    await statusBecomes(rejected, 'failure');
    await waitFor(async () => ((await count(topology.queues.deadLetter)) === 3 ? true : undefined), 5000, 'three messages in the dead-letter queue');
  });

  after(async () => {
    await connection?.close().catch(() => undefined);
    await wire?.close();
    await app?.close();
    await deleteTopology(resultsTopologyOptions({ QUEUE_PREFIX: prefix }));
    await deleteRedisKeys(prefix);
  });

  void it('lists every dead letter with its reason, and leaves them all in the queue', async () => {
    const run = await dlq('list', '--json');
    assert.equal(run.code, 0, run.stderr);
    const listed = JSON.parse(run.stdout) as { queue: string; total: number; messages: ListedMessage[] };
    assert.equal(listed.queue, topology.queues.deadLetter);
    assert.equal(listed.total, 3);
    const byId = new Map(listed.messages.map((m) => [m.id, m]));

    assert.deepEqual(
      { ...byId.get(exhausted), dead_lettered_at: null },
      {
        id: exhausted,
        kind: 'task',
        problem: null,
        task_id: exhausted,
        match_id: 101,
        reason: 'attempts_exhausted',
        error: 'model exploded',
        attempts: 3,
        original_queue: topology.queues.work,
        dead_lettered_at: null,
        body_bytes: taskBody(exhausted, 101).length,
        tasks: null,
      },
    );
    const broker = byId.get(rejected);
    assert.equal(broker?.kind, 'task');
    assert.equal(broker?.reason, 'rejected');
    assert.equal(broker?.original_queue, topology.queues.work);
    assert.ok(broker?.dead_lettered_at && !Number.isNaN(Date.parse(broker.dead_lettered_at)), 'the broker records when');

    const invalid = listed.messages.find((m) => m.kind === 'invalid');
    assert.ok(invalid, 'the body that is not JSON is listed too');
    assert.match(invalid.id, /^sha256:[0-9a-f]{16}$/);
    assert.equal(invalid.reason, 'invalid_message');
    assert.equal(invalid.problem, 'body is not JSON');
    assert.equal(invalid.task_id, null);
    invalidId = invalid.id;

    const human = await dlq('list');
    assert.equal(human.code, 0, human.stderr);
    for (const id of [exhausted, rejected, invalidId]) assert.ok(human.stdout.includes(id), id);
    assert.match(human.stdout, /reason=attempts_exhausted/);
    const limited = JSON.parse((await dlq('list', '--limit', '1', '--json')).stdout) as { total: number; shown: number };
    assert.deepEqual([limited.total, limited.shown], [3, 1]);

    assert.equal(await count(topology.queues.deadLetter), 3, 'listing removed nothing');
    const again = JSON.parse((await dlq('list', '--json')).stdout) as { messages: ListedMessage[] };
    assert.deepEqual(new Set(again.messages.map((m) => m.id)), new Set([exhausted, rejected, invalidId]));
  });

  void it('shows one message in full, and exits 1 for an unknown id', async () => {
    const shown = await dlq('show', exhausted);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /reason:\s+attempts_exhausted/);
    assert.match(shown.stdout, /error:\s+model exploded/);
    assert.ok(shown.stdout.includes('"match_id": 101'), 'the body, pretty-printed');
    const invalid = await dlq('show', invalidId);
    assert.equal(invalid.code, 0, invalid.stderr);
    assert.ok(invalid.stdout.includes('{not json'));

    const missing = await dlq('show', randomUUID());
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no message with id/);
    assert.equal(await count(topology.queues.deadLetter), 3);
  });

  void it('refuses to replay a message that is not a task message without --force', async () => {
    const run = await dlq('replay', invalidId);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /not a task message/);
    assert.equal(await count(topology.queues.deadLetter), 3);
    assert.equal(await count(topology.queues.work), 0);
  });

  void it('replays a task: reopened in results, back on the work queue with the same id at attempt 1, gone from the dead-letter queue', async () => {
    const run = await dlq('replay', exhausted, '--reason', 'fixed the model loader');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /task reopened/);

    const view = await status(exhausted);
    assert.equal(view?.status, 'pending');
    assert.equal(view?.attempts, 0);
    assert.equal(view?.error, undefined);

    const replayed = await waitFor(async () => (await channel.get(topology.queues.work)) || undefined, 5000, 'the replayed message');
    assert.equal(replayed.properties.messageId, exhausted, 'same task id');
    assert.deepEqual(replayed.content, taskBody(exhausted, 101), 'the original body');
    const headers = replayed.properties.headers ?? {};
    assert.equal(headers[Headers.attempt], 1);
    assert.ok(typeof headers['mp-replayed-at'] === 'string' && !Number.isNaN(Date.parse(headers['mp-replayed-at'])));
    for (const gone of [Headers.deathReason, Headers.deathError, Headers.originalQueue]) assert.equal(headers[gone], undefined, gone);
    assert.equal(replayed.properties.deliveryMode, 2, 'persistent');
    channel.ack(replayed);
    assert.equal(await count(topology.queues.deadLetter), 2);
    assert.equal((await dlq('show', exhausted)).code, 1, 'no longer in the dead-letter queue');

    // The replayed run's events apply again, and its success is final.
    const at = () => new Date().toISOString();
    wire.emit(topology.queues.events, Patterns.taskStarted, { task_id: exhausted, attempt: 1, at: at() });
    await statusBecomes(exhausted, 'started');
    const result = {
      match_id: 101,
      predicted_class: 0,
      probabilities: { '0': 0.5, '1': 0.3, '2': 0.2 },
      model_version: '1',
      model_run_id: 'run',
      predicted_outcome: 'home_win',
      model_name: 'm',
      features_source: 'history',
      backend: 'cpu',
    };
    wire.emit(topology.queues.events, Patterns.taskSucceeded, { task_id: exhausted, attempt: 1, at: at(), result });
    await statusBecomes(exhausted, 'success');
    const reply = await rpc<TaskReplayReply>(Patterns.taskReplay, { task_id: exhausted, reason: 'again?' });
    assert.deepEqual(reply, { reopened: false, previous_status: 'success' });
  });

  void it('answers task.replay.v1 for unknown tasks and invalid requests without writing anything', async () => {
    const ghost = randomUUID();
    assert.deepEqual(await rpc<TaskReplayReply>(Patterns.taskReplay, { task_id: ghost, reason: 'x' }), { reopened: false, previous_status: null });
    assert.equal(await status(ghost), null);
    const bad = await wire.request(topology.queues.resultsRpc, Patterns.taskReplay, { task_id: ghost, reason: '' });
    assert.equal((bad.err as { code?: string }).code, 'invalid_message');
  });

  void it('replays --all: tasks go back, a non-task message stays without --force (exit 1)', async () => {
    const run = await dlq('replay', '--all');
    assert.equal(run.code, 1);
    assert.ok(run.stdout.includes(`replayed ${rejected}`), run.stdout);
    assert.match(run.stderr, /skipped sha256:/);
    assert.match(run.stdout, /replayed 1 of 2 message id\(s\)/);
    assert.equal((await status(rejected))?.status, 'pending');
    const replayed = await waitFor(async () => (await channel.get(topology.queues.work)) || undefined, 5000, 'the replayed message');
    assert.equal(replayed.properties.messageId, rejected);
    assert.equal(replayed.properties.headers?.['x-death'], undefined, 'no broker headers');
    channel.ack(replayed);
    assert.equal(await count(topology.queues.deadLetter), 1);
  });

  void it('sends a non-task message back to its original queue as it is with --force', async () => {
    const run = await dlq('replay', invalidId, '--force');
    assert.equal(run.code, 0, run.stderr);
    const back = await waitFor(async () => (await channel.get(topology.queues.work)) || undefined, 5000, 'the forced message');
    assert.equal(back.content.toString(), '{not json');
    assert.equal(back.properties.headers?.[Headers.attempt], 1);
    channel.ack(back);
    assert.equal(await count(topology.queues.deadLetter), 0);
  });

  void it('purges only with --yes (no terminal to ask on), printing how many', async () => {
    await deadLetterLikeThePredictor(Buffer.from('junk'), undefined, 'invalid_message', 'junk', 1);
    await deadLetterLikeThePredictor(taskBody(randomUUID(), 5), undefined, 'permanent_error', 'unknown match', 1);
    await waitFor(async () => ((await count(topology.queues.deadLetter)) === 2 ? true : undefined), 5000, 'two dead letters');

    const refused = await dlq('purge');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /without --yes/);
    assert.equal(await count(topology.queues.deadLetter), 2);

    const purged = await dlq('purge', '--yes');
    assert.equal(purged.code, 0, purged.stderr);
    assert.match(purged.stdout, /purged 2 message\(s\)/);
    assert.equal(await count(topology.queues.deadLetter), 0);
    assert.match((await dlq('list')).stdout, /is empty/);
  });

  void it('exits 1 on usage errors and unknown queues, 2 when the broker is unreachable', async () => {
    assert.equal((await dlq('frobnicate')).code, 1);
    assert.equal((await dlq('replay')).code, 1);
    assert.equal((await dlq('list', '--limit', 'x')).code, 1);
    const wrongPrefix = await runCli(['list'], { QUEUE_PREFIX: `${prefix}nope.`, AMQP_URL: TEST_AMQP_URL });
    assert.equal(wrongPrefix.code, 1);
    assert.match(wrongPrefix.stderr, /does not exist/);
    const down = await runCli(['list'], { QUEUE_PREFIX: prefix, AMQP_URL: 'amqp://guest:guest@127.0.0.1:1' });
    assert.equal(down.code, 2);
    assert.equal(down.stderr.trim().split('\n').length, 1, `one line: ${down.stderr}`);
  });

  void it('replays a dead-lettered bundle task by task: one task by its id, the rest staying as a smaller bundle, then the rest', async () => {
    const [a, b, c] = [await createTask(201), await createTask(202), await createTask(203)];
    const tasks = [
      { task_id: a, match_id: 201 },
      { task_id: b, match_id: 202, correlation_id: 'corr-b' },
      { task_id: c, match_id: 203 },
    ];
    const bundleId = `bundle:${a}:3`;
    // As the gateway sends it; rejected by a consumer, so the broker dead-letters it whole and results fails its tasks.
    const delivery = await deliveryFromWorkQueue(Buffer.from(JSON.stringify({ pattern: Patterns.predictTaskBundle, data: { tasks } })), bundleId);
    channel.nack(delivery, false, false);
    for (const id of [a, b, c]) await statusBecomes(id, 'failure');
    await waitFor(async () => ((await count(topology.queues.deadLetter)) === 1 ? true : undefined), 5000, 'the bundle in the dead-letter queue');

    const listed = JSON.parse((await dlq('list', '--json')).stdout) as { messages: ListedMessage[] };
    assert.equal(listed.messages.length, 1);
    assert.equal(listed.messages[0]?.kind, 'bundle');
    assert.equal(listed.messages[0]?.reason, 'rejected');
    assert.deepEqual(listed.messages[0]?.tasks, tasks.map(({ task_id, match_id }) => ({ task_id, match_id, problem: null })));
    assert.ok((await dlq('show', b)).stdout.includes(bundleId), 'found by the id of a task in it');

    const one = await dlq('replay', b, '--reason', 'one of the bundle');
    assert.equal(one.code, 0, one.stderr);
    assert.equal((await status(b))?.status, 'pending');
    assert.equal((await status(a))?.status, 'failure', 'not named, not reopened');
    const alone = await waitFor(async () => (await channel.get(topology.queues.work)) || undefined, 5000, 'the replayed task');
    assert.equal(alone.properties.messageId, b);
    assert.deepEqual(JSON.parse(alone.content.toString()), { pattern: Patterns.predictTask, data: { task_id: b, match_id: 202 } });
    assert.equal(alone.properties.headers?.[Headers.correlationId], 'corr-b');
    assert.equal(alone.properties.headers?.[Headers.attempt], 1);
    channel.ack(alone);
    assert.equal(await count(topology.queues.work), 0, 'only the task named was published');

    const rest = JSON.parse((await dlq('list', '--json')).stdout) as { messages: ListedMessage[] };
    assert.equal(rest.messages.length, 1, 'the original is gone, the rest is back');
    assert.equal(rest.messages[0]?.id, `bundle:${a}:2`);
    assert.equal(rest.messages[0]?.reason, 'rejected', 'still says why it died');
    assert.deepEqual(rest.messages[0]?.tasks?.map((t) => t.task_id), [a, c]);

    const all = await dlq('replay', `bundle:${a}:2`);
    assert.equal(all.code, 0, all.stderr);
    for (const id of [a, c]) assert.equal((await status(id))?.status, 'pending', id);
    const replayed: string[] = [];
    for (let i = 0; i < 2; i += 1) {
      const m = await waitFor(async () => (await channel.get(topology.queues.work)) || undefined, 5000, 'a replayed task');
      replayed.push(String(m.properties.messageId));
      channel.ack(m);
    }
    assert.deepEqual(replayed.sort(), [a, c].sort());
    assert.equal(await count(topology.queues.deadLetter), 0);
  });

  void it('keeps the message when results does not answer (exit 2), so it can be replayed later', async () => {
    // A second deployment (prefix) whose results app is not running: its RPC queue exists, nobody consumes it.
    const idle = buildTopology({ prefix: `${prefix}idle.`, retryDelaysMs: [] });
    await assertTopology(channel, idle);
    try {
      const taskId = randomUUID();
      await publishConfirmed(idle.queues.work, taskBody(taskId, 103), { persistent: true, messageId: taskId });
      const delivery = await waitFor(async () => (await channel.get(idle.queues.work)) || undefined, 5000, 'the delivery');
      await settler.deadLetter(new RmqContext([delivery, channel, Patterns.predictTask]), idle.deadLetterExchange, 'attempts_exhausted', 'boom', 3);

      const run = await runCli(['replay', taskId], { QUEUE_PREFIX: `${prefix}idle.`, AMQP_URL: TEST_AMQP_URL, RESULTS_RPC_TIMEOUT_MS: '300' });
      assert.equal(run.code, 2);
      assert.match(run.stderr, /results app running/);
      assert.equal(run.stderr.trim().split('\n').length, 1, `one line: ${run.stderr}`);
      assert.equal(await count(idle.queues.deadLetter), 1, 'still in the dead-letter queue');
      assert.equal(await count(idle.queues.work), 0, 'not published');
    } finally {
      await deleteTopology({ prefix: `${prefix}idle.`, retryDelaysMs: [] });
    }
  });
});

function runCli(args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--enable-source-maps', CLI, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
