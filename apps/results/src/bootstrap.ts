// Decorator metadata must exist before any decorated class loads (loadConfig converts types from it).
import 'reflect-metadata';
import { attachConsumer, BrokerTopology, createRmqServer } from '@app/messaging';
import { AppLogger, createHttpApp, loadConfig } from '@app/platform';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ResultsConfig } from './results.config.js';
import { ResultsModule } from './results.module.js';
import { RESULTS_DEAD_LETTERS_TRANSPORT } from './results.transports.js';
import { TaskEventsConsumer } from './task-events.consumer.js';
import { TaskRpcConsumer } from './task-rpc.consumer.js';

export { RESULTS_DEAD_LETTERS_TRANSPORT } from './results.transports.js';

/**
 * Boots the results app: config → HTTP app → topology declared → Nest's consumer of the dead letters → HTTP
 * listening → consumers started (the RPC and events queues' last, outside Nest's server, ADR 0013). Throws
 * ConfigError on a bad variable; tests call it with their own env.
 */
export async function bootstrap(env: NodeJS.ProcessEnv = process.env): Promise<NestFastifyApplication> {
  const config = loadConfig(ResultsConfig, env);
  const app = await createHttpApp(ResultsModule.forConfig(config), { name: 'results', logLevel: config.LOG_LEVEL });
  try {
    const broker = app.get(BrokerTopology);
    await broker.ready(config.BROKER_CONNECT_TIMEOUT_MS);
    const { queues } = broker.topology;
    const consumers = [
      { queue: queues.deadLetterEvents, transportId: RESULTS_DEAD_LETTERS_TRANSPORT },
    ];
    for (const { queue, transportId } of consumers) {
      attachConsumer(app, createRmqServer({ url: config.AMQP_URL }, { queue, prefetch: config.RESULTS_PREFETCH, transportId }));
    }
    await app.listen({ port: config.HTTP_PORT, host: config.HTTP_HOST });
    await app.startAllMicroservices();
    // The RPC and events queues are consumed outside Nest's RMQ server (ADR 0013).
    await Promise.all([app.get(TaskRpcConsumer).start(), app.get(TaskEventsConsumer).start()]);
    AppLogger.for('bootstrap').info('results ready, consuming', {
      http_host: config.HTTP_HOST,
      http_port: config.HTTP_PORT,
      queue_prefix: config.QUEUE_PREFIX,
      queues: [queues.resultsRpc, queues.events, ...consumers.map((c) => c.queue)],
      prefetch: config.RESULTS_PREFETCH,
    });
    return app;
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
}
