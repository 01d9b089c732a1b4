import { OUTCOMES, type OutcomeClass, type Prediction } from '@app/contracts';
import type { BatchPrediction } from '@app/ml';

/** The seed's prediction shape, plus the match and when the batch job scored it. */
export interface PrecomputedPrediction extends Omit<Prediction, 'features_source' | 'backend'> {
  home_team: string;
  away_team: string;
  match_date: string;
  division: string;
  scored_at: string;
}

export function toPrecomputedPrediction(row: BatchPrediction): PrecomputedPrediction {
  const predicted = row.predicted_class as OutcomeClass;
  return {
    match_id: row.match_id,
    predicted_class: predicted,
    probabilities: { '0': row.prob_home_win, '1': row.prob_draw, '2': row.prob_away_win },
    model_version: String(row.model_version),
    model_run_id: row.model_run_id,
    predicted_outcome: OUTCOMES[predicted],
    model_name: row.model_name,
    home_team: row.home_team,
    away_team: row.away_team,
    match_date: row.match_date,
    division: row.division,
    scored_at: row.scored_at,
  };
}
