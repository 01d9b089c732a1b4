import { IsInt, IsNumber, Matches, Max, Min } from 'class-validator';
import { TASK_BATCH_MAX_TASKS } from '@app/contracts';
import { retryDelays } from '@app/messaging';
import { TaskRetryConfig } from '@app/platform';

export class PredictorConfig extends TaskRetryConfig {
  @IsInt()
  @Min(0)
  @Max(65535)
  HTTP_PORT = 8001;

  /**
   * Unacked async tasks per predictor process: four full batches' worth, so the next batch forms while the
   * previous ones wait for their broker confirms.
   */
  @IsInt()
  @Min(1)
  @Max(10_000)
  PREDICTOR_PREFETCH = 512;

  /** Unacked sync requests per predictor process. */
  @IsInt()
  @Min(1)
  @Max(10_000)
  INTERACTIVE_PREFETCH = 16;

  /**
   * Rows per model call at most (dynamic batching). 128 rows cost the wasm backend little more than 64 (the
   * per-call overhead dominates), so a full backlog drains with less CPU per task. At most what one outcome
   * message may carry (TASK_BATCH_MAX_TASKS).
   */
  @IsInt()
  @Min(1)
  @Max(TASK_BATCH_MAX_TASKS)
  BATCH_MAX_SIZE = 128;

  /**
   * How long the first async task of a batch waits for others to share its model call and its outcome message;
   * 0 turns batching off (one task at a time). Sync rows never wait. Under load the gateways' bundles arrive
   * a few ms apart; a window that spans two or more of them halves the outcome messages, the work queue's
   * settles, `results`' writes and the notices per task (8 against 2 ms: 15% less CPU per task end to end,
   * polling, ADR 0005). An async task alone waits this long once; async callers poll in tens of ms.
   */
  @IsInt()
  @Min(0)
  @Max(1000)
  BATCH_WINDOW_MS = 8;

  /**
   * Share of this predictor's CPU async work may take while sync requests are going on (one within the last
   * 250 ms), counting all of it: deliveries, scoring, publishing, acks (ADR 0010); the rest is left idle so
   * that sync requests find free cores all along their path. 1 turns the pacing off. Without sync traffic,
   * async work always runs flat out.
   */
  @IsNumber()
  @Min(0.01)
  @Max(1)
  ASYNC_SHARE_WHILE_SYNC = 0.1;

  /**
   * Fault injection for tests and drills only: comma-separated match ids whose async attempts fail with a
   * transient error. Empty in production.
   */
  @Matches(/^(\d+(,\d+)*)?$/, { message: 'FAULT_INJECT_FAIL_MATCH_IDS must be a comma-separated list of match ids' })
  FAULT_INJECT_FAIL_MATCH_IDS = '';

  /** How often this predictor announces itself (and its model) on the presence exchange. */
  @IsInt()
  @Min(100)
  @Max(600_000)
  PRESENCE_INTERVAL_MS = 5000;

  /** Delays of the retries, from the first delay doubling each time. */
  retryDelaysMs(): number[] {
    return retryDelays(this.TASK_MAX_ATTEMPTS, this.TASK_RETRY_DELAY_MS);
  }

  faultyMatchIds(): ReadonlySet<number> {
    return new Set(this.FAULT_INJECT_FAIL_MATCH_IDS.split(',').filter(Boolean).map(Number));
  }
}

export const PREDICTOR_CONFIG = Symbol('PREDICTOR_CONFIG');
