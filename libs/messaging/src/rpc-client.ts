import type { ClientRMQ } from '@nestjs/microservices';
import { RmqRecordBuilder } from '@nestjs/microservices';
import { isRpcErrorPayload, type RpcErrorPayload, type RpcMap, type RpcPattern } from '@app/contracts';
import { firstValueFrom, throwError, timeout } from 'rxjs';
import { BrokerUnavailableError } from './broker-unavailable.error.js';

export class RpcTimeoutError extends Error {
  constructor(
    readonly pattern: string,
    readonly timeoutMs: number,
  ) {
    super(`no reply to ${pattern} within ${timeoutMs} ms`);
    this.name = 'RpcTimeoutError';
  }
}

/** The remote handler answered with a typed error. */
export class RpcRemoteError extends Error {
  constructor(readonly payload: RpcErrorPayload) {
    super(payload.message);
    this.name = 'RpcRemoteError';
  }
}

export interface RpcCallOptions {
  timeoutMs: number;
  /** Message TTL on the broker: after it, the request is dropped unprocessed. Defaults to timeoutMs. */
  expirationMs?: number;
  messageId?: string;
  /** Message headers, e.g. `correlationHeaders(id)`. */
  headers?: Record<string, string>;
}

/**
 * Typed request/reply to one queue: resolves with the handler's reply, or rejects with `RpcTimeoutError` at
 * the deadline, `RpcRemoteError` when the handler answered with an error, `BrokerUnavailableError` when the
 * broker is away. The request expires on the broker with its deadline.
 */
export interface RpcClient {
  call<P extends RpcPattern>(pattern: P, payload: RpcMap[P]['request'], options: RpcCallOptions): Promise<RpcMap[P]['reply']>;
}

/**
 * `RpcClient` over a Nest RMQ client (direct reply-to), for tools that have one already (the dlq CLI). Nest has
 * no timeout of its own and loses replies on reconnect, so every call has a deadline. The gateway uses the
 * leaner `DirectRpcClient`, which speaks the same wire format.
 */
export class NestRpcClient implements RpcClient {
  constructor(private readonly client: ClientRMQ) {}

  async call<P extends RpcPattern>(pattern: P, payload: RpcMap[P]['request'], options: RpcCallOptions): Promise<RpcMap[P]['reply']> {
    const expiration = Math.max(1, Math.ceil(options.expirationMs ?? options.timeoutMs));
    const record = new RmqRecordBuilder(payload)
      .setOptions({
        expiration: String(expiration),
        persistent: false,
        ...(options.messageId ? { messageId: options.messageId } : {}),
        ...(options.headers ? { headers: options.headers } : {}),
      })
      .build();
    try {
      return await firstValueFrom(
        this.client.send<RpcMap[P]['reply']>(pattern, record).pipe(
          timeout({ first: options.timeoutMs, with: () => throwError(() => new RpcTimeoutError(pattern, options.timeoutMs)) }),
        ),
      );
    } catch (error) {
      throw classifyRpcError(error);
    }
  }
}

export function classifyRpcError(error: unknown): Error {
  if (error instanceof RpcTimeoutError) return error;
  if (isRpcErrorPayload(error)) return new RpcRemoteError(error);
  return BrokerUnavailableError.from(error);
}
