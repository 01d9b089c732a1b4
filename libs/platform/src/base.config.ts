import { IsIn, IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { LOG_LEVEL_NAMES, type LogLevelName } from './logging/log-level.js';

/** Settings every app shares. Each app's config class extends this one. */
export class BaseConfig {
  /** RabbitMQ connection URL. */
  @Matches(/^amqps?:\/\/\S+$/, { message: 'AMQP_URL must be an amqp:// or amqps:// URL' })
  AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

  /** Prefix for every queue and exchange name ('' in production; tests use their own). */
  @Matches(/^[A-Za-z0-9._-]*$/, { message: 'QUEUE_PREFIX may contain letters, digits, ".", "_" and "-" only' })
  QUEUE_PREFIX = '';

  /** Address the HTTP server (API, /metrics, /health) binds to. */
  @IsString()
  HTTP_HOST = '127.0.0.1';

  /** Least severe level logged: Nest's names (`log` = `info`, `verbose` = `trace`) or pino's. */
  @IsIn(LOG_LEVEL_NAMES, { message: `LOG_LEVEL must be one of ${LOG_LEVEL_NAMES.join(', ')}` })
  LOG_LEVEL: LogLevelName = 'log';

  /** How long boot waits for the broker before giving up (the orchestrator restarts the app). */
  @IsInt()
  @Min(100)
  @Max(600_000)
  BROKER_CONNECT_TIMEOUT_MS = 60_000;
}
