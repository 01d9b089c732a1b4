import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { BrokerTopology } from '@app/messaging';
import { AppLogger, createHttpApp, loadConfig } from '@app/platform';
import { installAccessControl } from './access-control.hook.js';
import { installAccessLog } from './access-log.hook.js';
import { installCorrelationId } from './correlation-id.hook.js';
import { GatewayConfig } from './gateway.config.js';
import { GatewayModule } from './gateway.module.js';
import { PredictionRoutes } from './prediction-routes.js';

export async function bootstrap(env: NodeJS.ProcessEnv = process.env): Promise<NestFastifyApplication> {
  const config = loadConfig(GatewayConfig, env);
  const app = await createHttpApp(GatewayModule.forConfig(config), {
    name: 'api-gateway',
    logLevel: config.LOG_LEVEL,
    bodyLimitBytes: config.MAX_BODY_BYTES,
  });
  const fastify = app.getHttpAdapter().getInstance();
  // First, so that even a request refused by access control answers with its correlation id.
  installCorrelationId(fastify);
  installAccessControl(fastify, { apiKeys: config.apiKeys(), ratePerMinute: config.RATE_LIMIT_PER_MINUTE });
  installAccessLog(fastify);
  // After the hooks above, which these routes run under like Nest's (ADR 0013).
  app.get(PredictionRoutes).install(fastify);
  await app.get(BrokerTopology).ready(config.BROKER_CONNECT_TIMEOUT_MS);
  await app.listen({ port: config.HTTP_PORT, host: config.HTTP_HOST });
  AppLogger.for('bootstrap').info('api-gateway ready', {
    http_host: config.HTTP_HOST,
    http_port: config.HTTP_PORT,
    queue_prefix: config.QUEUE_PREFIX,
    sync_timeout_ms: config.SYNC_TIMEOUT_MS,
    api_keys: config.apiKeys().length,
    rate_limit_per_minute: config.RATE_LIMIT_PER_MINUTE,
  });
  return app;
}
