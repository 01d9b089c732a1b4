import { AppLogger, type AppLog } from '@app/platform';
import type { FastifyInstance } from 'fastify';
import { requestCorrelationId } from './correlation-id.hook.js';

/**
 * One line per answered request: `debug` for 1xx-4xx (off at the default level), `warn` for 5xx, with
 * `method`, `route` (the template, never the raw URL), `status`, `duration_ms` and `correlation_id`.
 * Nothing is built when the line's level is off, so the hot path pays one comparison.
 */
export function installAccessLog(fastify: FastifyInstance, log: AppLog = AppLogger.for('http')): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    const level = status >= 500 ? 'warn' : 'debug';
    if (log.isEnabled(level)) {
      const route = request.routeOptions.url ?? 'unmatched';
      log[level](`${request.method} ${route} ${status}`, {
        method: request.method,
        route,
        status,
        duration_ms: Math.round(reply.elapsedTime * 10) / 10,
        correlation_id: requestCorrelationId(request),
      });
    }
    done();
  });
}
