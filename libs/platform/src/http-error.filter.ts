import { Catch, HttpException, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

/** The one JSON error shape of every HTTP answer that is not a success. */
export interface HttpErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: unknown;
}

const REASONS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  408: 'request_timeout',
  409: 'conflict',
  411: 'length_required',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  417: 'expectation_failed',
  422: 'unprocessable_entity',
  429: 'too_many_requests',
  431: 'request_header_fields_too_large',
  500: 'internal_error',
  502: 'bad_gateway',
  503: 'service_unavailable',
  504: 'gateway_timeout',
};

/** Longest message echoed back: some messages quote the request (a path, a content type). */
const MAX_MESSAGE_LENGTH = 300;

export function errorBody(statusCode: number, message: string, details?: unknown): HttpErrorBody {
  const text = message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH)}…` : message;
  return { statusCode, error: REASONS[statusCode] ?? 'error', message: text, ...(details === undefined ? {} : { details }) };
}

const errorLog = new Logger('HttpErrorFilter');

/** Every exception as `HttpErrorBody`; unknown errors become a bare 500, logged but never leaked. */
export function toHttpErrorBody(exception: unknown): HttpErrorBody {
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    if (typeof response === 'object' && response !== null && 'statusCode' in response && 'error' in response && 'message' in response) {
      const r = response as HttpErrorBody;
      if (typeof r.message === 'string' && typeof r.error === 'string' && REASONS[status] === r.error) return r;
    }
    const message = typeof response === 'string' ? response : extractMessage(response) ?? exception.message;
    return errorBody(status, message);
  }
  // Fastify's own errors (bad JSON, body too large, wrong content type) carry a statusCode.
  const fastifyStatus = (exception as { statusCode?: unknown } | null)?.statusCode;
  if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
    return errorBody(fastifyStatus, (exception as Error).message);
  }
  errorLog.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
  return errorBody(HttpStatus.INTERNAL_SERVER_ERROR, 'internal error');
}

/** Answers with the error shape: for Nest's filter and for the routes served outside Nest (ADR 0013). */
export function sendHttpError(reply: FastifyReply, exception: unknown): FastifyReply {
  const body = toHttpErrorBody(exception);
  return reply.status(body.statusCode).header('content-type', 'application/json; charset=utf-8').send(body);
}

/** Nest's side of the one error shape: every exception a controller raises goes through `sendHttpError`. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    void sendHttpError(host.switchToHttp().getResponse<FastifyReply>(), exception);
  }
}

function extractMessage(response: unknown): string | undefined {
  if (typeof response !== 'object' || response === null) return undefined;
  const m = (response as { message?: unknown }).message;
  if (typeof m === 'string') return m;
  if (Array.isArray(m)) return m.join('; ');
  return undefined;
}
