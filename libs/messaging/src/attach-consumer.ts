import type { INestApplication } from '@nestjs/common';
import type { ServerRMQ } from '@nestjs/microservices';

/**
 * Connects a queue consumer to a hybrid (HTTP + broker) app. Its handlers are the `@BrokerConsumer()`
 * classes whose `@EventPattern`/`@MessagePattern` name the server's transport id.
 */
export function attachConsumer(app: INestApplication, server: ServerRMQ): void {
  app.connectMicroservice({ strategy: server }, { inheritAppConfig: false });
}
