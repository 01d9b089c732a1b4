import type { FastifyInstance } from 'fastify';
import type { Histogram } from 'prom-client';

/**
 * Times every HTTP request at the Fastify layer, so 404s, validation failures and body-limit rejections
 * count too (a Nest interceptor never sees those). Labels use the route template, never the raw URL.
 */
export function instrumentHttp(fastify: FastifyInstance, histogram: Histogram<string>): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    histogram.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
    done();
  });
}
