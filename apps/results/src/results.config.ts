import { IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { BaseConfig } from '@app/platform';

/**
 * Settings of the results app, validated at boot by `loadConfig`; the defaults are the documentation.
 * Every field has an explicit type: `loadConfig` converts env strings from the `design:type` metadata, which
 * TypeScript emits as `Object` for an inferred type (then "60" would stay a string and fail @IsInt).
 */
export class ResultsConfig extends BaseConfig {
  /** Port of the HTTP server (`/metrics`, `/health/*`); 0 picks a free one (tests). */
  @IsInt({ message: 'HTTP_PORT must be an integer' })
  @Min(0)
  @Max(65_535)
  HTTP_PORT: number = 8002;

  /** Redis holding task state. */
  @IsString()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL: string = 'redis://127.0.0.1:6379';

  /** Prefix of every Redis key this app writes (tests use their own). */
  @IsString()
  @Matches(/^[A-Za-z0-9:._-]{0,64}$/, { message: 'REDIS_KEY_PREFIX may contain letters, digits, ":", ".", "_" and "-" only (at most 64)' })
  REDIS_KEY_PREFIX: string = 'mp:';

  /** Lifetime of a task record and its idempotency key, refreshed by every state change. */
  @IsInt({ message: 'TASK_TTL_SECONDS must be an integer' })
  @Min(1)
  @Max(365 * 86_400)
  TASK_TTL_SECONDS: number = 86_400;

  /** Unacknowledged messages per queue consumer (AMQP prefetch: 1..65535). */
  @IsInt({ message: 'RESULTS_PREFETCH must be an integer' })
  @Min(1)
  @Max(65_535)
  RESULTS_PREFETCH: number = 64;
}
