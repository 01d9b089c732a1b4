import { applyDecorators, Controller, UseFilters, UseInterceptors } from '@nestjs/common';
import { RpcErrorFilter } from './rpc-error.filter.js';
import { SettleMessageInterceptor } from './settle-message.interceptor.js';

/**
 * Marks a class of broker handlers and binds the suite's ack discipline to it: every handler runs inside
 * the settle interceptor, and RPC errors go through the one error filter. (Nest 12 initializes a connected
 * microservice at once, so global enhancers cannot be added to it afterwards; binding them here is explicit.)
 */
export function BrokerConsumer(): ClassDecorator {
  return applyDecorators(Controller(), UseInterceptors(SettleMessageInterceptor), UseFilters(RpcErrorFilter));
}
