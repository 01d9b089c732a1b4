// BullMQ peer, HTTP side: the same async submit/status API as the suite on bare Fastify; a submit writes the
// task record to Redis and adds a BullMQ job. No idempotency, no reservation RPC: the cheapest honest peer.
// Env: REDIS_URL, PEER_PREFIX, PEER_PORT.
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { bullPrefix, PEER_QUEUE, redisConnection, taskKey } from './bullmq-common.js';
import { PREDICT_BODY_SCHEMA, type PredictBody } from '../predict-body.schema.js';

async function main(): Promise<void> {
  const port = Number(process.env.PEER_PORT ?? 18_081);
  const connection = redisConnection();
  const queue = new Queue(PEER_QUEUE, { connection, prefix: bullPrefix });
  const redis = new Redis({ host: connection.host, port: connection.port, enableAutoPipelining: true });
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
    const record = await redis.get(taskKey(id));
    if (record === null) return reply.code(404).send({ statusCode: 404, error: 'not_found' });
    return reply.header('content-type', 'application/json').send(record);
  });
  await app.listen({ host: '127.0.0.1', port });
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => {
    app
      .close()
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
