import type { INestApplication } from '@nestjs/common';
import type { ServerRMQ } from '@nestjs/microservices';
import { RpcErrorFilter } from './rpc-error.filter.js';
import { SettleMessageInterceptor } from './settle-message.interceptor.js';

/**
 * Connects a queue consumer to a hybrid (HTTP + broker) app with the suite's ack discipline: every handler
 * runs inside the settle interceptor and answers RPC errors through the one error filter.
 */
export function attachConsumer(app: INestApplication, server: ServerRMQ): void {
  const microservice = app.connectMicroservice({ strategy: server }, { inheritAppConfig: false });
  microservice.useGlobalInterceptors(app.get(SettleMessageInterceptor));
  microservice.useGlobalFilters(new RpcErrorFilter());
}
