import { ApiKeySet, errorBody, TokenBucketLimiter } from '@app/platform';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface AccessControlOptions {
  /** Accepted `X-API-Key` values; none: no authentication. */
  apiKeys: readonly string[];
  /** Requests per minute per client; 0: no limit. */
  ratePerMinute: number;
}

/**
 * Route templates (not raw URLs: the router decodes `%70redict` to `predict`) that need a key and count
 * against the rate limit. `/metrics` and `/health/*` stay open for the scraper and the orchestrator's probes.
 */
const GUARDED_ROUTE = /^\/(predict|monitoring)(\/|$)/;

/**
 * API key check and per-client rate limit, as a Fastify `onRequest` hook: it runs before the body is read
 * or parsed, so a refused request costs no parsing and reaches no handler. The client is the matching API
 * key when keys are configured, else the peer IP address (behind a proxy, all clients share the proxy's).
 * Answers 401 or 429 (with `Retry-After`) in the standard error shape.
 */
export function installAccessControl(fastify: FastifyInstance, options: AccessControlOptions): void {
  const keys = new ApiKeySet(options.apiKeys);
  const limiter = options.ratePerMinute > 0 ? new TokenBucketLimiter({ perMinute: options.ratePerMinute }) : undefined;
  if (!keys.enabled && !limiter) return;

  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const route = request.routeOptions.url;
    if (route === undefined || !GUARDED_ROUTE.test(route)) return;
    const keyIndex = keys.enabled ? keys.match(singleHeader(request.headers['x-api-key'])) : -1;
    const authenticated = !keys.enabled || keyIndex >= 0;
    if (limiter) {
      // Failed attempts count against the caller's address, so guessing keys is rate limited too.
      const decision = limiter.take(keyIndex >= 0 ? `key:${keyIndex}` : `ip:${request.ip}`);
      if (!decision.allowed) {
        return reply
          .code(429)
          .header('retry-after', String(decision.retryAfterSeconds))
          .header('content-type', 'application/json; charset=utf-8')
          .send(errorBody(429, `rate limit exceeded, retry in ${decision.retryAfterSeconds} s`));
      }
    }
    if (!authenticated) {
      return reply
        .code(401)
        .header('www-authenticate', 'X-API-Key')
        .header('content-type', 'application/json; charset=utf-8')
        .send(errorBody(401, 'missing or invalid API key (header X-API-Key)'));
    }
  });
}

function singleHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? undefined : value;
}
