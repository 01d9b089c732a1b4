import { IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { retryDelays } from '@app/messaging';
import { ApiKeySet, TaskRetryConfig } from '@app/platform';

/** One key: 16-256 printable ASCII characters, no comma (the separator) and no blank. */
const KEY = '[\\x21-\\x2b\\x2d-\\x7e]{16,256}';
const API_KEYS_FORMAT = new RegExp(`^\\s*(${KEY}(\\s*,\\s*${KEY})*)?\\s*$`);

export class GatewayConfig extends TaskRetryConfig {
  @IsInt()
  @Min(0)
  @Max(65535)
  HTTP_PORT = 8000;

  /** Hard deadline of `POST /predict/`; after it the caller gets 504 and the request is never scored. */
  @IsInt()
  @Min(1)
  @Max(600_000)
  SYNC_TIMEOUT_MS = 30_000;

  /** Deadline of task-state RPCs to `results`. */
  @IsInt()
  @Min(1)
  @Max(60_000)
  RESULTS_RPC_TIMEOUT_MS = 5000;

  /** How long an async submit waits for the broker to confirm the task message. */
  @IsInt()
  @Min(1)
  @Max(60_000)
  PUBLISH_CONFIRM_TIMEOUT_MS = 5000;

  /** Largest accepted request body. */
  @IsInt()
  @Min(256)
  @Max(10 * 1024 * 1024)
  MAX_BODY_BYTES = 16 * 1024;

  /** Parquet file written by `npm run batch-infer`, served by `GET /predict/{match_id}`. */
  @IsString()
  PREDICTIONS_FILE = 'data/predictions/batch_predictions.parquet';

  /** Matches on or after this date count as upcoming (the shipped data has no real fixtures). */
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'AS_OF_DATE must be YYYY-MM-DD' })
  AS_OF_DATE = '2024-04-01';

  /**
   * Comma-separated API keys. Empty (the default): no authentication. Set: `/predict/*` and `/monitoring/*`
   * need header `X-API-Key` with one of them, else 401. `/metrics` and `/health/*` stay open.
   */
  @Matches(API_KEYS_FORMAT, { message: 'API_KEYS must be comma-separated keys of 16-256 printable ASCII characters without commas or blanks' })
  API_KEYS = '';

  /**
   * Requests per minute per API key (per client IP when API_KEYS is empty) to `/predict/*` and
   * `/monitoring/*`, counted by each gateway replica on its own; also the burst. 0 turns the limit off.
   */
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  RATE_LIMIT_PER_MINUTE = 600;

  /** How often queue depths and consumer counts are read for `/metrics` (`GET /monitoring/queues` reads afresh). */
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  QUEUE_STATS_INTERVAL_MS = 5000;

  /** Longest `wait_ms` a task-status long-poll may ask for. */
  @IsInt()
  @Min(0)
  @Max(600_000)
  STATUS_WAIT_MAX_MS = 30_000;

  /**
   * How often a held long-poll re-reads its task even without a settled notice (a notice is best effort), so a
   * lost one costs at most this much latency.
   */
  @IsInt()
  @Min(10)
  @Max(60_000)
  STATUS_WAIT_RECHECK_MS = 1000;

  /**
   * Tasks this gateway follows in its view cache (ADR 0011): the ones it accepted lately, answered without a
   * round trip to `results`. 0 turns the cache off (every status read asks `results`).
   */
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  STATUS_CACHE_MAX_TASKS = 50_000;

  /**
   * How long a cached view is answered without news of its task. News comes with every change `results` writes,
   * so this only bounds how stale a read can be when a notice is lost, Redis is away or its keys were lost.
   */
  @IsInt()
  @Min(0)
  @Max(60_000)
  STATUS_CACHE_FRESH_MS = 1000;

  /** Long-polls one gateway holds at once; past it a `wait_ms` request answers at once, as without it. */
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  STATUS_WAITERS_MAX = 10_000;

  apiKeys(): string[] {
    return ApiKeySet.parse(this.API_KEYS);
  }

  /** Delays of the predictors' retry queues, to report their depths. */
  retryDelaysMs(): number[] {
    return retryDelays(this.TASK_MAX_ATTEMPTS, this.TASK_RETRY_DELAY_MS);
  }
}

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
