import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { attachConsumer, BrokerTopology, createRmqServer } from '@app/messaging';
import { AppLogger, createHttpApp, loadConfig } from '@app/platform';
import { PredictorConfig } from './predictor.config.js';
import { PredictorModule } from './predictor.module.js';
import { INTERACTIVE_TRANSPORT } from './predictor.transports.js';
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
  const url = { url: config.AMQP_URL };
  attachConsumer(app, createRmqServer(url, { queue: queues.interactive, prefetch: config.INTERACTIVE_PREFETCH, transportId: INTERACTIVE_TRANSPORT }));
  await app.listen({ port: config.HTTP_PORT, host: config.HTTP_HOST });
  await app.startAllMicroservices();
  // The work queue is consumed in batches outside Nest's per-message pipeline (see TaskConsumer).
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
