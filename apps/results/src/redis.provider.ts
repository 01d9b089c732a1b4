import { Inject, Injectable, Logger, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { Redis } from 'ioredis';
import { ResultsConfig } from './results.config.js';

export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

/**
 * A Redis client that fails fast: while Redis is away a command is retried on one reconnect at most and a
 * stuck one times out, so an event handler fails (and its message is requeued after a pause) instead of
 * holding a prefetch slot forever, and an RPC caller gets `internal` instead of silence.
 */
export function createRedisClient(url: string): Redis {
  return new Redis(url, {
    enableAutoPipelining: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 5000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    connectionName: 'match-predict:results',
  });
}

export const redisProvider: Provider = {
  provide: REDIS_CLIENT,
  useFactory: (config: ResultsConfig) => createRedisClient(config.REDIS_URL),
  inject: [ResultsConfig],
};

/** Logs connection trouble once per outage, and closes the client after the consumers have stopped. */
@Injectable()
export class RedisLifecycle implements OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  private lastError: string | undefined;

  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {
    // Without an 'error' listener ioredis prints every reconnect failure to stderr.
    redis.on('error', (error: Error) => {
      if (error.message !== this.lastError) this.logger.warn(`Redis error: ${error.message}`);
      this.lastError = error.message;
    });
    redis.on('ready', () => {
      if (this.lastError !== undefined) this.logger.log('Redis connection restored');
      this.lastError = undefined;
    });
  }

  async onApplicationShutdown(): Promise<void> {
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }
}
