import { IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { BaseConfig } from './base.config.js';

/** Settings of the apps that serve the model or check requests against it (predictor, gateway). */
export class ModelServingConfig extends BaseConfig {
  /** Folder of the model registry (versioned model folders and aliases.json). */
  @IsString()
  MODEL_REGISTRY_DIR = 'models';

  /** Which model: `name@alias` or `name@version`. */
  @Matches(/^[a-z0-9-]+(@[A-Za-z0-9_-]+)?$/, { message: 'MODEL_REF must look like match-outcome@champion or match-outcome@3' })
  MODEL_REF = 'match-outcome@champion';

  /** How often the registry is checked for a new model behind MODEL_REF (hot swap); 0 turns it off. */
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  MODEL_POLL_MS = 5000;

  /** Match history (football-data.co.uk CSVs): features for requests without them, upcoming matches. */
  @IsString()
  MATCH_DATA_DIR = 'data/football';
}
