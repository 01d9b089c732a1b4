/** One row of the batch-inference parquet file that the gateway serves for `GET /predict/{match_id}`. */
export interface BatchPrediction {
  match_id: number;
  division: string;
  /** ISO `YYYY-MM-DD`. */
  match_date: string;
  home_team: string;
  away_team: string;
  prob_home_win: number;
  prob_draw: number;
  prob_away_win: number;
  /** 0 home win, 1 draw, 2 away win. */
  predicted_class: number;
  model_name: string;
  model_version: number;
  model_run_id: string;
  /** ISO timestamp of the batch run. */
  scored_at: string;
}
