import { Logger } from '@nestjs/common';
import { NO_MESSAGE_HANDLER } from '@nestjs/microservices/constants.js';
import type { RpcErrorPayload, RpcMap, RpcPattern } from '@app/contracts';
import type { Channel, ConsumeMessage } from 'amqplib';
import { correlationIdOf } from './message-headers.js';
import { RpcFailure, toRpcErrorPayload } from './rpc-failure.js';

/** One request as a handler sees it: the envelope's pattern and the delivery (headers, properties). */
export interface RpcCall {
  pattern: string;
  message: ConsumeMessage;
  /** The `mp-correlation-id` header (the gateway's X-Correlation-Id), for log lines; not the AMQP correlationId. */
  correlationId: string | undefined;
}

/** A handler per pattern; the reply type is the contract's, so a handler answering the wrong shape does not compile. */
export type RpcHandlers = {
  readonly [P in RpcPattern]?: (data: unknown, call: RpcCall) => RpcMap[P]['reply'] | Promise<RpcMap[P]['reply']>;
};

/**
 * A reply as Nest's ClientRMQ reads it: `response` or `err`, and `isDisposed` (the stream is complete). Only
 * these keys: a reply with any other key is taken for a foreign payload (IncomingResponseDeserializer).
 */
export interface RpcReply {
  id?: string;
  response?: unknown;
  err?: unknown;
  status?: 'error';
  isDisposed: true;
}

/** What the dispatcher logs through; the predictor's AppLogger fits, and Nest's logger by default. */
export interface RpcLog {
  warn(msg: string, fields?: Readonly<Record<string, unknown>>): void;
  error(msg: string, fields?: Readonly<Record<string, unknown>>): void;
}

/** Where replies go and acks are made: the delivering channel. */
export type RpcChannel = Pick<Channel, 'sendToQueue' | 'ack'>;

/**
 * Serves request/reply deliveries in Nest's wire format without Nest's per-message pipeline (context,
 * router, interceptors, exception filter, RxJS): decode `{pattern, data, id}`, run the pattern's handler,
 * answer on `replyTo` with the request's `correlationId`, ack. Errors reach the caller as Nest's RpcErrorFilter
 * sent them (`toRpcErrorPayload`: typed failures as they are, anything else as `internal` without internals);
 * a pattern nobody handles gets Nest's own "no matching message handler" reply.
 *
 * Every delivery is acked, whatever happened: the caller has its answer (or has no reply-to to get one), and
 * redelivery would only repeat it (the RPC policy of SettleMessageInterceptor).
 */
export class RpcDispatcher {
  /** A Map, not the object: a pattern such as `constructor` must not find Object.prototype's. */
  private readonly handlers: ReadonlyMap<string, (data: unknown, call: RpcCall) => unknown>;

  constructor(
    handlers: RpcHandlers,
    private readonly log: RpcLog = nestLog,
  ) {
    this.handlers = new Map(Object.entries(handlers));
  }

  /** Answers and acks one delivery; never rejects (a lost reply is logged, the caller's deadline covers it). */
  async serve(channel: RpcChannel, message: ConsumeMessage): Promise<void> {
    const { replyTo } = message.properties as { replyTo?: string };
    if (!replyTo) {
      this.log.warn('request without a reply-to: acked unanswered', { pattern: patternOf(message), correlation_id: correlationIdOf(message.properties.headers) });
      ack(channel, message);
      return;
    }
    const reply = await this.answer(message);
    const replyCorrelationId = message.properties.correlationId as string | undefined;
    try {
      channel.sendToQueue(replyTo, encode(reply), { correlationId: replyCorrelationId });
    } catch (error) {
      // The channel closed under us (broker restart): the reply is lost, the process must not be.
      this.log.warn('RPC reply lost', { reply_correlation_id: replyCorrelationId, error: errorText(error) });
    }
    ack(channel, message);
  }

  /** The reply to one request: the handler's answer, its error as an error payload, or "no handler". */
  async answer(message: ConsumeMessage): Promise<RpcReply> {
    const request = decode(message.content);
    if (request instanceof Error) return { err: invalidMessage(request.message), isDisposed: true };
    const { pattern, data, id } = request;
    const handler = this.handlers.get(pattern);
    const correlationId = correlationIdOf(message.properties.headers);
    if (!handler) {
      this.log.warn('no handler for this pattern; answered with an error', { pattern, correlation_id: correlationId });
      return { id, err: NO_MESSAGE_HANDLER, status: 'error', isDisposed: true };
    }
    try {
      return { id, response: await handler(data, { pattern, message, correlationId }), isDisposed: true };
    } catch (error) {
      const payload = toRpcErrorPayload(error);
      if (payload.code === 'internal' && !(error instanceof RpcFailure)) {
        this.log.error('RPC handler failed', { pattern, correlation_id: correlationId, err: error });
      }
      return { id, err: payload, isDisposed: true };
    }
  }
}

/** Nest's request envelope `{pattern, data, id}`; an Error when the body is not one. */
export function decode(content: Buffer): { pattern: string; data: unknown; id: string | undefined } | Error {
  let body: unknown;
  try {
    body = JSON.parse(content.toString('utf8'));
  } catch (error) {
    return new Error(`body is not JSON: ${errorText(error)}`);
  }
  if (typeof body !== 'object' || body === null || !('pattern' in body) || typeof body.pattern !== 'string') {
    return new Error('body is not a {pattern, data} request envelope');
  }
  const id = 'id' in body && typeof body.id === 'string' ? body.id : undefined;
  return { pattern: body.pattern, data: 'data' in body ? body.data : undefined, id };
}

/** A reply that cannot be serialised (a cycle, a BigInt) becomes an internal error rather than no reply. */
function encode(reply: RpcReply): Buffer {
  try {
    return Buffer.from(JSON.stringify(reply));
  } catch {
    return Buffer.from(JSON.stringify({ id: reply.id, err: toRpcErrorPayload(undefined), isDisposed: true } satisfies RpcReply));
  }
}

function invalidMessage(message: string): RpcErrorPayload {
  return { code: 'invalid_message', message };
}

function patternOf(message: ConsumeMessage): string | undefined {
  const request = decode(message.content);
  return request instanceof Error ? undefined : request.pattern;
}

function ack(channel: RpcChannel, message: ConsumeMessage): void {
  try {
    channel.ack(message);
  } catch {
    // Channel closed: the broker redelivers the request on a new channel.
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const nestLogger = new Logger('RpcDispatcher');
const nestLog: RpcLog = {
  warn: (msg, fields) => nestLogger.warn(fields ? `${msg} ${JSON.stringify(fields)}` : msg),
  error: (msg, fields) => nestLogger.error(fields ? `${msg} ${JSON.stringify(fields, errorFields)}` : msg),
};

function errorFields(_key: string, value: unknown): unknown {
  return value instanceof Error ? (value.stack ?? value.message) : value;
}
