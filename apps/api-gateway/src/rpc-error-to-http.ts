import { HttpException } from '@nestjs/common';
import { BrokerUnavailableError, RpcRemoteError, RpcTimeoutError } from '@app/messaging';
import { errorBody } from '@app/platform';

const STATUS_BY_CODE = {
  invalid_message: 422,
  invalid_features: 422,
  unknown_match: 404,
  deadline_exceeded: 504,
  not_ready: 503,
  internal: 502,
} as const;

/** Maps a broker-side failure to the HTTP answer: no stack, a stable code, the remote's details. */
export function rpcErrorToHttp(error: unknown): HttpException {
  if (error instanceof RpcTimeoutError) return new HttpException(errorBody(504, error.message), 504);
  if (error instanceof BrokerUnavailableError) return new HttpException(errorBody(503, 'message broker unavailable, try again'), 503);
  if (error instanceof RpcRemoteError) {
    const status = STATUS_BY_CODE[error.payload.code];
    const message = status === 502 ? 'the service behind the gateway failed' : error.payload.message;
    return new HttpException(errorBody(status, message, error.payload.details), status);
  }
  if (error instanceof HttpException) return error;
  return new HttpException(errorBody(500, 'internal error'), 500);
}
