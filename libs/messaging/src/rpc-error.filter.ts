import { Catch, Logger, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';
import { RpcFailure, toRpcErrorPayload } from './rpc-failure.js';
import type { RpcErrorPayload } from '@app/contracts';

/** Replaces Nest's default RPC filter: callers get a stable `{code, message}` and never a stack trace. */
@Catch()
export class RpcErrorFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger('RpcErrorFilter');

  catch(exception: unknown): Observable<RpcErrorPayload> {
    const payload = toRpcErrorPayload(exception);
    if (payload.code === 'internal' && !(exception instanceof RpcFailure)) {
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    }
    return throwError(() => payload);
  }
}
