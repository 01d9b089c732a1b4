// BullMQ peer, HTTP side: the same async submit/status API as the suite on bare Fastify; a submit writes the
// task record to Redis and adds a BullMQ job. No idempotency, no reservation RPC: the cheapest honest peer.
// Status long-polls (`?wait_ms=`) as the suite offers them, the BullMQ way: a QueueEvents listener wakes the
// waiting request on the job's `completed`/`failed` event, which then reads the record.
// Env: REDIS_URL, PEER_PREFIX, PEER_PORT.
import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { bullPrefix, PEER_QUEUE, redisConnection, taskKey } from './bullmq-common.js';
import { PREDICT_BODY_SCHEMA, type PredictBody } from '../predict-body.schema.js';

async function main(): Promise<void> {
  const port = Number(process.env.PEER_PORT ?? 18_081);
  const connection = redisConnection();
  const queue = new Queue(PEER_QUEUE, { connection, prefix: bullPrefix });
  const redis = new Redis({ host: connection.host, port: connection.port, enableAutoPipelining: true });
  const events = new QueueEvents(PEER_QUEUE, { connection, prefix: bullPrefix });
  await events.waitUntilReady();
  const waiting = new Map<string, Set<() => void>>();
  const wake = ({ jobId }: { jobId: string }): void => {
    for (const resolve of waiting.get(jobId) ?? []) resolve();
  };
  events.on('completed', wake);
  events.on('failed', wake);
  const app = Fastify({ logger: false });
  app.post(
    '/predict/async/',
    { schema: PREDICT_BODY_SCHEMA },
    async (request, reply) => {
      const body = request.body as PredictBody;
      const id = randomUUID();
      const now = new Date().toISOString();
      await redis.set(taskKey(id), JSON.stringify({ task_id: id, status: 'pending', match_id: body.match_id, submitted_at: now, updated_at: now }), 'EX', 3600);
      await queue.add('predict', { task_id: id, match_id: body.match_id, features: body.features ?? {} }, { jobId: id, removeOnComplete: true, removeOnFail: 1000 });
      return reply.code(202).send({ task_id: id, status: 'submitted', status_url: `/monitoring/task_status/${id}` });
    },
  );
  app.get('/monitoring/task_status/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    const waitMs = Math.min(Number((request.query as { wait_ms?: string }).wait_ms ?? 0) || 0, 30_000);
    let woken: () => void = () => undefined;
    const settled = new Promise<void>((resolve) => (woken = resolve));
    if (waitMs > 0) waiting.set(id, (waiting.get(id) ?? new Set()).add(woken));
    try {
      let record = await redis.get(taskKey(id));
      if (waitMs > 0 && record !== null && !/"status":"(success|failure)"/.test(record)) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([settled, new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
        clearTimeout(timer);
        record = await redis.get(taskKey(id));
      }
      if (record === null) return await reply.code(404).send({ statusCode: 404, error: 'not_found' });
      return await reply.header('content-type', 'application/json').send(record);
    } finally {
      const set = waiting.get(id);
      set?.delete(woken);
      if (set?.size === 0) waiting.delete(id);
    }
  });
  await app.listen({ host: '127.0.0.1', port });
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => {
    app
      .close()
      .then(() => events.close())
      .then(() => queue.close())
      .then(() => redis.quit())
      .then(
        () => process.exit(0),
        () => process.exit(0),
      );
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
