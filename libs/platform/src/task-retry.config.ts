import { IsInt, Max, Min } from 'class-validator';
import { ModelServingConfig } from './model-serving.config.js';

/**
 * The async retry policy. The predictor applies it; the gateway only derives from it the names of the retry
 * queues (`ml.retry.<ms>ms`) it reports — so both read the same keys, and both apps must be set alike.
 */
export class TaskRetryConfig extends ModelServingConfig {
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
}
