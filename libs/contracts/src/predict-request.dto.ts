import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsFeatureMap } from './feature-map.validator.js';

/** Body of `POST /predict/` and `POST /predict/async/`; also the payload core of inference messages. */
export class PredictRequestDto {
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  match_id!: number;

  @IsOptional()
  @IsFeatureMap()
  features?: Record<string, number | null>;
}
