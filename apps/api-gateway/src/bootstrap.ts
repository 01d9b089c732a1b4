import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { BrokerTopology } from '@app/messaging';
import { createHttpApp, loadConfig } from '@app/platform';
import { installAccessControl } from './access-control.hook.js';
import { GatewayConfig } from './gateway.config.js';
import { GatewayModule } from './gateway.module.js';

export async function bootstrap(env: NodeJS.ProcessEnv = process.env): Promise<NestFastifyApplication> {
  const config = loadConfig(GatewayConfig, env);
  const app = await createHttpApp(GatewayModule.forConfig(config), {
    name: 'api-gateway',
    logLevel: config.LOG_LEVEL,
    bodyLimitBytes: config.MAX_BODY_BYTES,
  });
  installAccessControl(app.getHttpAdapter().getInstance(), { apiKeys: config.apiKeys(), ratePerMinute: config.RATE_LIMIT_PER_MINUTE });
  await app.get(BrokerTopology).ready(config.BROKER_CONNECT_TIMEOUT_MS);
  await app.listen({ port: config.HTTP_PORT, host: config.HTTP_HOST });
  return app;
}
