import { IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { BaseConfig } from '@app/platform';

export class GatewayConfig extends BaseConfig {
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

  @IsString()
  MODEL_REGISTRY_DIR = 'models';

  @Matches(/^[a-z0-9-]+(@[A-Za-z0-9_-]+)?$/, { message: 'MODEL_REF must look like match-outcome@champion or match-outcome@3' })
  MODEL_REF = 'match-outcome@champion';

  /** How often the registry is checked for a new model behind MODEL_REF (hot swap); 0 turns it off. */
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  MODEL_POLL_MS = 5000;

  /** Parquet file written by `npm run batch-infer`, served by `GET /predict/{match_id}`. */
  @IsString()
  PREDICTIONS_FILE = 'data/predictions/batch_predictions.parquet';

  @IsString()
  MATCH_DATA_DIR = 'data/football';

  /** Matches on or after this date count as upcoming (the shipped data has no real fixtures). */
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'AS_OF_DATE must be YYYY-MM-DD' })
  AS_OF_DATE = '2024-04-01';
}

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
