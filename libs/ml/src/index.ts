// Public surface of @app/ml. Apps import from here only.

// Outcomes and paths
export { OUTCOME_LABELS, outcomeOf } from './outcome.js';
export type { FullTimeResult, Outcome, OutcomeLabel } from './outcome.js';
export { repoRoot } from './repo-root.js';

// Data loading
export type { MatchOdds, MatchRecord, RejectedRow } from './data/match-record.js';
export { matchIdOf } from './data/match-id.js';
export { compareMatches, loadMatches, parseMatchesCsv } from './data/matches.loader.js';
export type { LoadedMatches, ParsedMatches } from './data/matches.loader.js';

// Point-in-time features
export type { FeatureVector } from './features/feature-vector.js';
export { FEATURE_NAMES } from './features/feature-set.js';
export { MatchHistory } from './features/match-history.js';

// TF.js backend, registry, serving adapter
export { currentTfBackend, initTfBackend } from './tf/tf-backend.js';
export type { TfBackendName, TfBackendOptions } from './tf/tf-backend.js';
export type { DataWindow, FeatureStat, ModelMetadata, NewModelMetadata } from './registry/model-metadata.js';
export { ModelRegistry } from './registry/model.registry.js';
export type { ResolvedModel } from './registry/model.registry.js';
export { ModelNotFoundError } from './registry/model-not-found.error.js';
export { DEFAULT_MODEL_REF, MODEL_ALIASES, MODEL_NAME, parseModelRef } from './registry/model-ref.js';
export type { ModelAlias, ModelRef } from './registry/model-ref.js';
export { LoadedModel, loadModel } from './model/loaded-model.adapter.js';
export { FeatureMismatchError } from './model/feature-mismatch.error.js';
export type { FeatureIssues } from './model/feature-mismatch.error.js';
export { checkFeatures, toModelInput } from './model/feature-matrix.js';
export { captureArtifacts } from './model/model-artifacts.js';

// Batch inference output
export type { BatchPrediction } from './batch/batch-prediction.js';
export { readPredictionsParquet, writePredictionsParquet } from './batch/predictions.parquet.js';
export { runBatchInference } from './batch/batch-inference.js';
export type { BatchInferenceOptions, BatchInferenceResult } from './batch/batch-inference.js';

// Training and evaluation (CLI jobs)
export { DEFAULT_TRAIN_PARAMS, runTraining } from './training/train-pipeline.js';
export type { TrainingOptions, TrainingReport } from './training/train-pipeline.js';
export { accuracy, brierScore, calibrationError, impliedProbabilities, logLoss } from './training/metrics.js';
export { EvaluationSetError, loadEvaluationSet } from './evaluation/evaluation-set.loader.js';
export type { EvaluationSet, EvaluationSetOptions } from './evaluation/evaluation-set.loader.js';
export { evaluateModel, evaluateModelRef } from './evaluation/model-evaluation.js';
export type { ModelEvaluation } from './evaluation/model-evaluation.js';
export { formatModelEvaluation } from './evaluation/evaluation-table.js';

// Promotion: moving `champion` is the only hand-off to serving
export { promoteModel, PromotionError } from './promotion/promote-model.js';
export type { PromotionOptions, PromotionResult } from './promotion/promote-model.js';
export { checkOverride, decidePromotion, PromotionOverrideError } from './promotion/promotion-gate.js';
export type { GateDecision, GateInput, PromotionDecisionKind } from './promotion/promotion-gate.js';
export { appendPromotionLog, promotionLogPath, readPromotionLog } from './promotion/promotion-log.js';
export type { PromotionLogEntry } from './promotion/promotion-log.js';
export { RegistryWatcher } from './registry/registry-watcher.js';
