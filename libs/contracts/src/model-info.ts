/** `model.info.v1` reply and the core of `GET /predict/model/info`. */
export interface ServingModelInfo {
  name: string;
  version: number;
  alias: string | null;
  run_id: string;
  created_at: string;
  backend: string;
  features: string[];
  metrics: Record<string, number>;
  training_window?: { from: string; to: string; rows: number };
  /** Which predictor answered, so operators can tell replicas apart. */
  instance: string;
}
