// The interactive lane: a sync request is answered while an async backlog is still queued, because sync
// requests travel on their own queue (ml.interactive) and never wait behind the work queue.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { buildTopology } from '@app/messaging';
import { AppProcess, deleteRedisKeys, deleteTopology, TEST_AMQP_URL, testPort, uniquePrefix } from '@app/testing';

const BACKLOG = 5000;
const prefix = uniquePrefix('lane');
const topologyOptions = { prefix, retryDelaysMs: [2000, 4000] };
const topology = buildTopology(topologyOptions);
const common = { QUEUE_PREFIX: prefix, REDIS_KEY_PREFIX: prefix, LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '0', PREDICTOR_PREFETCH: '8' };
let results: AppProcess;
let predictor: AppProcess;
let gateway: AppProcess;

describe('interactive lane', () => {
  before(async () => {
    results = new AppProcess('results', testPort(), common);
    predictor = new AppProcess('predictor', testPort(), common);
    gateway = new AppProcess('api-gateway', testPort(), common);
    // The gateway declares the topology; the predictor comes later, when the backlog is waiting.
    await Promise.all([results.start(), gateway.start()]);
  });

  after(async () => {
    await Promise.all([gateway.stop(), predictor.stop(), results.stop()]);
    await deleteTopology(topologyOptions);
    await deleteRedisKeys(prefix);
  });

  it('answers a sync request while thousands of async tasks are still queued ahead of it', async (t) => {
    const info = (await (await fetch(`${gateway.baseUrl}/predict/model/info`)).json()) as { features: string[] };
    const features = Object.fromEntries(info.features.map((f) => [f, 0.25]));
    const connection = await amqp.connect(TEST_AMQP_URL);
    const channel = await connection.createConfirmChannel();
    for (let i = 0; i < BACKLOG; i += 1) {
      const data = { task_id: randomUUID(), match_id: i + 1, features };
      channel.sendToQueue(topology.queues.work, Buffer.from(JSON.stringify({ pattern: 'prediction.task.v1', data })), { persistent: true });
    }
    await channel.waitForConfirms();

    // The sync request waits in its lane before any predictor runs, as the backlog does in `ml`: when the
    // predictor comes up, both are there, and the sync request must not wait behind the backlog. (Sent after the
    // predictor is up, a fast predictor could drain the whole backlog before the request arrives.)
    const started = Date.now();
    // The backlog is read the moment the answer arrives (a passive declare: exact, and a millisecond, where
    // rabbitmqctl takes about a second), not once the predictor's start is noticed.
    const answered = fetch(`${gateway.baseUrl}/predict/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ match_id: 424242, features }),
    }).then(async (res) => ({ res, elapsed: Date.now() - started, ready: (await channel.checkQueue(topology.queues.work)).messageCount }));
    await predictor.start();
    const { res, elapsed, ready } = await answered;
    await connection.close();
    t.diagnostic(`sync answered ${elapsed} ms after it was sent (predictor start included) with ${ready} of ${BACKLOG} async tasks still ready`);
    assert.equal(res.status, 200);
    assert.ok(ready > BACKLOG / 2, `the backlog was still there (${ready} ready)`);
  });
});
