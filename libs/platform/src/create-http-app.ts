import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Metrics } from '@app/metrics';
import { instrumentHttp } from '@app/metrics';
import { getToken } from '@willsoto/nestjs-prometheus';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Histogram } from 'prom-client';
import { errorBody, HttpErrorFilter } from './http-error.filter.js';
import { AppLogger } from './logging/app-logger.js';
import type { LogLevelName } from './logging/log-level.js';
import { PinoNestLogger } from './logging/pino-nest.logger.js';
import { initLogging } from './logging/root-logger.js';

export interface HttpAppOptions {
  /** The app's name: the `app` field of its log lines. */
  name: string;
  logLevel: LogLevelName;
  /** Largest request body accepted; larger ones are refused with 413 before parsing. */
  bodyLimitBytes?: number;
  /** Longest time a client may take to send a whole request (headers and body), then 408. */
  requestTimeoutMs?: number;
}

/**
 * Every app is a Nest application on Fastify (measured ~3x Express per request) with JSON logs (pino, one
 * line per entry, Nest's own lines included), one error shape, HTTP timing, and shutdown hooks so SIGTERM
 * drains consumers instead of dropping acks.
 *
 * Requests are JSON only: Fastify's own JSON parser (size-limited, refusing `__proto__` and
 * `constructor.prototype` keys) is the only body parser, so any other content type is 415. Errors raised
 * before a request reaches Nest (a malformed URL, a path parameter too long, a broken request line or
 * oversized headers) get the same error shape as the rest.
 */
export async function createHttpApp(module: unknown, options: HttpAppOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: options.bodyLimitBytes ?? 64 * 1024,
    // Bodies with __proto__ / constructor.prototype keys are refused outright, not sanitised.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // Slow clients (slowloris) are cut off; answering may take longer, this is only the receiving side.
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    // The seed's paths end in a slash (`/predict/`); accept both spellings.
    routerOptions: { ignoreTrailingSlash: true },
    frameworkErrors: sendFrameworkError,
    clientErrorHandler: answerClientError,
  });
  // The logger exists before Nest does, so boot lines go straight through it: no buffering needed.
  initLogging({ app: options.name, level: options.logLevel });
  // bodyParser: false keeps Nest from adding its urlencoded (form) parser next to Fastify's JSON one.
  const app = await NestFactory.create<NestFastifyApplication>(module as never, adapter, {
    logger: new PinoNestLogger(),
    bufferLogs: false,
    bodyParser: false,
  });
  app.useGlobalFilters(new HttpErrorFilter());
  // JSON only: any other content type is 415 rather than a string body that fails validation later.
  app.getHttpAdapter().getInstance().removeContentTypeParser('text/plain');
  // process.exit (not re-raising the signal) after the shutdown hooks: the exit flushes pending log lines.
  app.enableShutdownHooks(undefined, { useProcessExit: true });
  const lifecycle = AppLogger.for('lifecycle');
  app.getHttpAdapter().getInstance().addHook('onClose', (_instance, done) => {
    lifecycle.info('HTTP server closed, shutting down');
    done();
  });
  // Node itself answers an `Expect` other than 100-continue with a bare 417; give it the error shape.
  app.getHttpServer().on('checkExpectation', (_req: IncomingMessage, res: ServerResponse) => {
    const body = JSON.stringify(errorBody(417, 'only "Expect: 100-continue" is supported'));
    res.writeHead(417, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close' }).end(body);
  });
  instrumentHttp(app.getHttpAdapter().getInstance(), app.get<Histogram<string>>(getToken(Metrics.httpRequestDuration.name)));
  return app;
}

/** Router errors (bad percent-encoding, a path parameter over the length limit), answered in the one shape. */
function sendFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  const message = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'a path parameter is too long' : 'malformed URL';
  void reply.code(status).header('content-type', 'application/json; charset=utf-8').send(errorBody(status, message));
}

/**
 * Requests Node's HTTP parser refuses before any route sees them (broken request line or headers, headers
 * over the size limit, a request not received in time): answered in the one shape, then the connection closes.
 */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, message] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'Request Timeout', 'the request was not received in time']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'request headers are too large']
        : [400, 'Bad Request', 'malformed HTTP request'];
  const body = JSON.stringify(errorBody(status, message));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

export type { INestApplication };
