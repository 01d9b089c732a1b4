import type { NewModelMetadata } from '../registry/model-metadata.js';

/** Metadata for tiny throwaway models in unit tests. */
export function fixtureMetadata(signature: NewModelMetadata['feature_signature'], runId = 'test-run'): NewModelMetadata {
  return {
    run_id: runId,
    created_at: '2024-01-01T00:00:00.000Z',
    feature_signature: signature,
    class_labels: ['home_win', 'draw', 'away_win'],
    training_window: { from: '2000-01-01', to: '2001-01-01', rows: 10 },
    validation_window: { from: '2001-01-02', to: '2001-06-01', rows: 5 },
    hyperparameters: { hidden: '4' },
    metrics: { log_loss: 1, brier: 0.6, accuracy: 0.5 },
    data_fingerprint: 'sha256:test',
    backend: 'cpu',
  };
}
