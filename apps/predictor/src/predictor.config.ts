import { IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { BaseConfig } from '@app/platform';

export class PredictorConfig extends BaseConfig {
  @IsInt()
  @Min(0)
  @Max(65535)
  HTTP_PORT = 8001;

  /** Folder of the model registry (versioned model folders and aliases.json). */
  @IsString()
  MODEL_REGISTRY_DIR = 'models';

  /** Which model to serve: `name@alias` or `name@version`. */
  @Matches(/^[a-z0-9-]+(@[A-Za-z0-9_-]+)?$/, { message: 'MODEL_REF must look like match-outcome@champion or match-outcome@3' })
  MODEL_REF = 'match-outcome@champion';

  /** How often the registry is checked for a new model behind MODEL_REF (hot swap); 0 turns it off. */
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  MODEL_POLL_MS = 5000;

  /** Match history (football-data.co.uk CSVs) used to assemble features when a request has none. */
  @IsString()
  MATCH_DATA_DIR = 'data/football';

  /** Unacked async tasks per predictor process. */
  @IsInt()
  @Min(1)
  @Max(10_000)
  PREDICTOR_PREFETCH = 32;

  /** Unacked sync requests per predictor process. */
  @IsInt()
  @Min(1)
  @Max(10_000)
  INTERACTIVE_PREFETCH = 16;

  /** Attempts per async task, the first included, before it is dead-lettered. */
  @IsInt()
  @Min(1)
  @Max(20)
  TASK_MAX_ATTEMPTS = 3;

  /** Delay before the first retry; each later retry waits twice as long as the one before. */
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  TASK_RETRY_DELAY_MS = 2000;

  /**
   * Fault injection for tests and drills only: comma-separated match ids whose async attempts fail with a
   * transient error. Empty in production.
   */
  @Matches(/^(\d+(,\d+)*)?$/, { message: 'FAULT_INJECT_FAIL_MATCH_IDS must be a comma-separated list of match ids' })
  FAULT_INJECT_FAIL_MATCH_IDS = '';

  /** Delays of the retries, from the first delay doubling each time. */
  retryDelaysMs(): number[] {
    return Array.from({ length: this.TASK_MAX_ATTEMPTS - 1 }, (_, i) => this.TASK_RETRY_DELAY_MS * 2 ** i);
  }

  faultyMatchIds(): ReadonlySet<number> {
    return new Set(this.FAULT_INJECT_FAIL_MATCH_IDS.split(',').filter(Boolean).map(Number));
  }
}

export const PREDICTOR_CONFIG = Symbol('PREDICTOR_CONFIG');
