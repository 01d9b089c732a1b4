import { IsInt, IsOptional, IsUUID, Min } from 'class-validator';
import { PredictRequestDto } from './predict-request.dto.js';

/**
 * An inference request on the broker. Sync requests (`prediction.predict.v1`) carry the caller's deadline;
 * async tasks (`prediction.task.v1`) carry their task id. Validated again by the consumer: the broker is a
 * public contract, so a message may come from a producer that never saw our HTTP validation.
 */
export class PredictionRequestMessage extends PredictRequestDto {
  @IsOptional()
  @IsUUID()
  task_id?: string;

  /** Epoch milliseconds after which nobody waits for the answer: the predictor drops it unscored. */
  @IsOptional()
  @IsInt()
  @Min(0)
  deadline_at?: number;
}
