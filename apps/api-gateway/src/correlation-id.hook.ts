import { randomUUID } from 'node:crypto';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { isValidCorrelationId } from '@app/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** The HTTP header a client may send its own id in, and that every answer carries. */
export const CORRELATION_ID_HEADER = 'x-correlation-id';

type CorrelatedRequest = FastifyRequest & { correlationId: string };

/** The caller's id when it is acceptable (see `isValidCorrelationId`), else a fresh UUID. */
export function correlationIdFrom(header: string | string[] | undefined): string {
  return isValidCorrelationId(header) ? header : randomUUID();
}

/**
 * Gives every request a correlation id as a Fastify `onRequest` hook (so refused requests, 404s and errors
 * have one too): the client's `X-Correlation-Id` if valid, else a new UUID. It is echoed in the answer's
 * header; handlers read it with `requestCorrelationId(request)` or the `@CorrelationId()` parameter, and pass
 * it on to the messages they publish. Install it before the other `onRequest` hooks.
 */
export function installCorrelationId(fastify: FastifyInstance): void {
  fastify.decorateRequest('correlationId', '');
  fastify.addHook('onRequest', (request, reply, done) => {
    const id = correlationIdFrom(request.headers[CORRELATION_ID_HEADER]);
    (request as CorrelatedRequest).correlationId = id;
    reply.header(CORRELATION_ID_HEADER, id);
    done();
  });
}

/** The request's correlation id; undefined only when the hook is not installed. */
export function requestCorrelationId(request: FastifyRequest): string | undefined {
  return (request as Partial<CorrelatedRequest>).correlationId || undefined;
}

/** Controller parameter: `predict(@Body() body, @CorrelationId() correlationId: string | undefined)`. */
export const CorrelationId = createParamDecorator((_data: unknown, ctx: ExecutionContext) =>
  requestCorrelationId(ctx.switchToHttp().getRequest<FastifyRequest>()),
);
