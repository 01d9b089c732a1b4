import { MessageValidationError, type RpcErrorCode, type RpcErrorPayload } from '@app/contracts';

/** A handler's deliberate, typed failure; its payload goes back to an RPC caller as is. */
export class RpcFailure extends Error {
  constructor(
    readonly code: RpcErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'RpcFailure';
  }

  toPayload(): RpcErrorPayload {
    return this.details ? { code: this.code, message: this.message, details: this.details } : { code: this.code, message: this.message };
  }
}

/** What an RPC caller is told about any error: typed failures as they are, anything else without internals. */
export function toRpcErrorPayload(error: unknown): RpcErrorPayload {
  if (error instanceof RpcFailure) return error.toPayload();
  if (error instanceof MessageValidationError) return { code: 'invalid_message', message: error.message, details: { problems: error.problems } };
  return { code: 'internal', message: 'internal error' };
}
