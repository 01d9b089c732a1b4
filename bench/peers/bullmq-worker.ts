// BullMQ peer, worker side: the same model (loadModel + LoadedModel.predict, one row per job), the result
// stored in Redis where the peer's status route reads it. Env: REDIS_URL, PEER_PREFIX, PEER_CONCURRENCY (64).
import { join } from 'node:path';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { loadModel, repoRoot, type FeatureVector } from '@app/ml';
import { bullPrefix, PEER_QUEUE, redisConnection, taskKey } from './bullmq-common.js';

interface JobData {
  task_id: string;
  match_id: number;
  features: FeatureVector;
}

async function main(): Promise<void> {
  const model = await loadModel(join(repoRoot(), 'models'), 'match-outcome@champion');
  const connection = redisConnection();
  const redis = new Redis({ host: connection.host, port: connection.port, enableAutoPipelining: true });
  const worker = new Worker<JobData>(
    PEER_QUEUE,
    async (job) => {
      const [p] = model.predict([job.data.features]);
      const now = new Date().toISOString();
      const result = { predicted_class: p ? p.indexOf(Math.max(...p)) : null, probabilities: { '0': p?.[0], '1': p?.[1], '2': p?.[2] } };
      await redis.set(taskKey(job.data.task_id), JSON.stringify({ task_id: job.data.task_id, status: 'success', match_id: job.data.match_id, updated_at: now, result }), 'EX', 3600);
    },
    { connection, prefix: bullPrefix, concurrency: Number(process.env.PEER_CONCURRENCY ?? 64) },
  );
  await worker.waitUntilReady();
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => {
    worker
      .close()
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
