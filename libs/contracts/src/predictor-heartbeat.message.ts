import { IsIn, IsInt, IsISO8601, IsString, IsUUID, Max, MaxLength, Min, ValidateIf } from 'class-validator';

export const PREDICTOR_STATUSES = ['ready', 'leaving'] as const;
export type PredictorStatus = (typeof PREDICTOR_STATUSES)[number];

/**
 * `predictor.heartbeat.v1`: a predictor says it is up, and what it serves, every `interval_ms` on the fanout
 * exchange `predictors.presence` (transient, expiring after one interval). `leaving` is its last one, sent on
 * a graceful shutdown. A reader counts the predictor gone after three intervals without a heartbeat.
 */
export class PredictorHeartbeatMessage {
  /** Random per process: a restarted predictor is a new instance. */
  @IsUUID()
  instance_id!: string;

  @IsString()
  @MaxLength(255)
  hostname!: string;

  @IsInt()
  @Min(1)
  pid!: number;

  @IsString()
  @MaxLength(200)
  model_name!: string;

  @IsInt()
  @Min(0)
  model_version!: number;

  @IsString()
  @MaxLength(200)
  model_run_id!: string;

  /** The registry alias the model was loaded through (`champion`), or null when pinned to a version. */
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(200)
  alias!: string | null;

  /** TF.js backend in use: `tensorflow`, `wasm` or `cpu`. */
  @IsString()
  @MaxLength(50)
  backend!: string;

  @IsIn(PREDICTOR_STATUSES)
  status!: PredictorStatus;

  /** The sender's heartbeat interval: readers expire it after three of its own intervals. */
  @IsInt()
  @Min(1)
  @Max(3_600_000)
  interval_ms!: number;

  @IsISO8601()
  started_at!: string;

  @IsISO8601()
  sent_at!: string;
}
