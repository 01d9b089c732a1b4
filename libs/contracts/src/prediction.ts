import type { OutcomeClass, OutcomeLabel } from './outcome.js';

/** One model's answer for one match. Seed fields first; the rest are readable extras. */
export interface Prediction {
  match_id: number;
  predicted_class: OutcomeClass;
  probabilities: { '0': number; '1': number; '2': number };
  model_version: string;
  model_run_id: string;
  predicted_outcome: OutcomeLabel;
  model_name: string;
  features_source: 'inline' | 'history';
  backend: string;
}
