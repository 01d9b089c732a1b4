import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { BrokerTopology } from '@app/messaging';
import { AppLogger, createHttpApp, loadConfig } from '@app/platform';
import { InteractiveConsumer } from './interactive.consumer.js';
import { PredictorConfig } from './predictor.config.js';
import { PredictorModule } from './predictor.module.js';
import { TaskConsumer } from './task.consumer.js';

/**
 * Boot order matters: the model loads during module init (inside createHttpApp), the topology is declared,
 * HTTP (health, metrics) starts, and only then do the consumers take messages.
 */
export async function bootstrap(env: NodeJS.ProcessEnv = process.env): Promise<NestFastifyApplication> {
  const config = loadConfig(PredictorConfig, env);
  const app = await createHttpApp(PredictorModule.forConfig(config), { name: 'predictor', logLevel: config.LOG_LEVEL });
  const broker = app.get(BrokerTopology);
  await broker.ready(config.BROKER_CONNECT_TIMEOUT_MS);
  const { queues } = broker.topology;
  await app.listen({ port: config.HTTP_PORT, host: config.HTTP_HOST });
  // Both queues are consumed outside Nest's per-message pipeline: sync requests one by one (ADR 0009),
  // async tasks in batches (ADR 0006).
  await app.get(InteractiveConsumer).start();
  await app.get(TaskConsumer).start();
  AppLogger.for('bootstrap').info('predictor ready, consuming', {
    http_host: config.HTTP_HOST,
    http_port: config.HTTP_PORT,
    queue_prefix: config.QUEUE_PREFIX,
    queues: [queues.interactive, queues.work],
    interactive_prefetch: config.INTERACTIVE_PREFETCH,
    prefetch: config.PREDICTOR_PREFETCH,
  });
  return app;
}
