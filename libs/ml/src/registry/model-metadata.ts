import type { OUTCOME_LABELS } from '../outcome.js';

/** One model input: standardised as (x - mean) / std; `mean` also replaces null. */
export interface FeatureStat {
  name: string;
  mean: number;
  std: number;
}

export interface DataWindow {
  from: string;
  to: string;
  rows: number;
}

/** `metadata.json` of a registered model version. */
export interface ModelMetadata {
  name: string;
  version: number;
  run_id: string;
  created_at: string;
  /** Order = model input order. */
  feature_signature: FeatureStat[];
  class_labels: [...typeof OUTCOME_LABELS];
  training_window: DataWindow;
  validation_window: DataWindow;
  hyperparameters: Record<string, number | string>;
  /** Validation log_loss, brier, accuracy, plus bookmaker_log_loss and base_rate_log_loss on the same matches. */
  metrics: Record<string, number>;
  /** sha256 of the training CSV contents. */
  data_fingerprint: string;
  /** TF.js backend used for training. */
  backend: string;
}

/** What a training job hands to the registry: the registry assigns name and version. */
export type NewModelMetadata = Omit<ModelMetadata, 'name' | 'version'>;
