import { Injectable, Logger, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { RmqContext } from '@nestjs/microservices';
import { catchError, tap, throwError, type Observable } from 'rxjs';
import { MessageSettler } from './message-settler.js';

/**
 * Safety net around every broker handler: whatever a handler did not settle itself is settled here, so no
 * delivery is ever left unacked (Nest leaves failed ones hanging until the channel closes).
 * - success → ack;
 * - RPC (has replyTo) failure → ack: the caller gets the error reply, redelivery would only repeat it;
 * - event failure → `MessageSettler.settleFailedEvent`: an invalid payload is rejected to the queue's
 *   dead-letter exchange, any other failure requeued after a pause.
 */
@Injectable()
export class SettleMessageInterceptor implements NestInterceptor {
  private readonly logger = new Logger(SettleMessageInterceptor.name);

  constructor(private readonly settler: MessageSettler) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const ctx = context.switchToRpc().getContext<unknown>();
    if (context.getType() !== 'rpc' || !(ctx instanceof RmqContext)) return next.handle();
    // An RPC is a request with somewhere to reply to and a correlation id; anything else is settled as an event.
    const props = (ctx.getMessage() as { properties?: { replyTo?: string; correlationId?: string } }).properties;
    const isRpc = Boolean(props?.replyTo && props.correlationId);
    return next.handle().pipe(
      tap({ complete: () => this.settler.ack(ctx) }),
      catchError((error: unknown) => {
        if (isRpc) this.settler.ack(ctx);
        else if (this.settler.settleFailedEvent(ctx, error) === 'rejected') {
          this.logger.warn(`rejected an invalid ${ctx.getPattern()} message to its queue's dead-letter exchange: ${(error as Error).message}`);
        }
        return throwError(() => error);
      }),
    );
  }
}
