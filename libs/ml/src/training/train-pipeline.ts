import * as tf from '@tensorflow/tfjs';
import { randomUUID } from 'node:crypto';
import { loadMatches } from '../data/matches.loader.js';
import { DEFAULT_ELO_PARAMS } from '../features/blocks/elo.block.js';
import { LEAGUE_WINDOW } from '../features/blocks/league.block.js';
import { DEFAULT_PI_PARAMS } from '../features/blocks/pi-rating.block.js';
import { FEATURE_NAMES } from '../features/feature-set.js';
import { MatchHistory } from '../features/match-history.js';
import { toModelInput } from '../model/feature-matrix.js';
import { loadModel } from '../model/loaded-model.adapter.js';
import { captureArtifacts } from '../model/model-artifacts.js';
import type { ModelMetadata } from '../registry/model-metadata.js';
import { MODEL_NAME, type ModelAlias } from '../registry/model-ref.js';
import { ModelRegistry } from '../registry/model.registry.js';
import { initTfBackend, type TfBackendName } from '../tf/tf-backend.js';
import { dataFingerprint } from './data-fingerprint.js';
import { dataWindow, featureStats, type LabelledRow, timeSplit } from './dataset.js';
import { logLoss } from './metrics.js';
import { evaluateForecasts, type EvaluationTable, formatEvaluationTable } from './evaluation.js';
import { type EpochLog, type Matrix, predictRows, type TrainParams, trainMlp } from './train-mlp.js';

export const DEFAULT_TRAIN_PARAMS: TrainParams = {
  hidden: [32, 16],
  l2: 2e-3,
  seed: 42,
  learningRate: 1e-3,
  batchSize: 256,
  maxEpochs: 200,
  patience: 15,
  minDelta: 1e-4,
};

export interface TrainingOptions {
  dataDir: string;
  registryRoot: string;
  name?: string;
  /** Aliases to point at the new version; default candidate, plus champion when there is none yet. */
  aliases?: ModelAlias[];
  params?: Partial<TrainParams>;
  burnInSeasons?: number;
  prefer?: TfBackendName;
  log?: (line: string) => void;
  onEpoch?: (log: EpochLog) => void;
}

export interface TrainingReport {
  metadata: ModelMetadata;
  aliases: Record<string, number>;
  evaluation: EvaluationTable;
  matchesLoaded: number;
  rejectedRows: number;
  trainingSeconds: number;
  /** Largest gap between in-memory and reloaded-from-registry validation probabilities. */
  reloadMaxAbsDiff: number;
}

/** Load, featurise, split by time, train, evaluate against base rate and bookmakers, register. */
export async function runTraining(options: TrainingOptions): Promise<TrainingReport> {
  const log = options.log ?? (() => undefined);
  const name = options.name ?? MODEL_NAME;
  const params: TrainParams = { ...DEFAULT_TRAIN_PARAMS, ...options.params };
  const backend = await initTfBackend(options.prefer ? { prefer: options.prefer } : {});
  log(`TF.js backend: ${backend}`);

  const { matches, rejected, files } = await loadMatches(options.dataDir);
  log(`loaded ${matches.length} matches from ${files.length} files, ${rejected.length} rejected rows`);
  for (const r of rejected.slice(0, 10)) log(`  rejected ${r.file}:${r.line} ${r.reason}`);

  const history = MatchHistory.fromMatches(matches);
  const split = timeSplit(history, options.burnInSeasons ?? 1);
  const signature = featureStats(split.train, FEATURE_NAMES);
  const train = toMatrix(split.train, signature);
  const validation = toMatrix(split.validation, signature);
  const trainLabels = split.train.map((r) => r.label);
  const validationLabels = split.validation.map((r) => r.label);
  log(`train ${split.train.length} rows (${split.train[0]?.match.season} .. before ${split.validationSeason}), ` +
    `validation ${split.validation.length} rows (${split.validationSeason}), ${signature.length} features`);

  const started = performance.now();
  const trained = await trainMlp(train, trainLabels, validation, validationLabels, params, options.onEpoch);
  const trainingSeconds = (performance.now() - started) / 1000;
  log(`trained ${trained.epochs.length} epochs in ${trainingSeconds.toFixed(1)} s, best epoch ${trained.bestEpoch}`);

  const xVal = tf.tensor2d(validation.data, [validation.rows, validation.width]);
  const xTrain = tf.tensor2d(train.data, [train.rows, train.width]);
  const modelProbs = predictRows(trained.model, xVal);
  const trainProbs = predictRows(trained.model, xTrain);
  tf.dispose([xVal, xTrain]);
  const evaluation = evaluateForecasts(split.validation, modelProbs, trainLabels);
  log(formatEvaluationTable(evaluation, split.validationSeason));

  const registry = new ModelRegistry(options.registryRoot);
  const metadata = await registry.register(name, await captureArtifacts(trained.model), {
    run_id: randomUUID().replaceAll('-', ''),
    created_at: new Date().toISOString(),
    feature_signature: signature,
    class_labels: ['home_win', 'draw', 'away_win'],
    training_window: dataWindow(split.train),
    validation_window: dataWindow(split.validation),
    hyperparameters: {
      architecture: `${signature.length}-${params.hidden.join('-')}-3`,
      activation: 'relu',
      l2: params.l2,
      seed: params.seed,
      optimizer: 'adam',
      learning_rate: params.learningRate,
      batch_size: params.batchSize,
      max_epochs: params.maxEpochs,
      patience: params.patience,
      min_delta: params.minDelta,
      best_epoch: trained.bestEpoch,
      epochs_run: trained.epochs.length,
      burn_in_seasons: split.burnInSeasons.join(','),
      validation_season: split.validationSeason,
      elo_k: DEFAULT_ELO_PARAMS.k,
      elo_home_advantage: DEFAULT_ELO_PARAMS.homeAdvantage,
      elo_season_regression: DEFAULT_ELO_PARAMS.seasonRegression,
      pi_lambda: DEFAULT_PI_PARAMS.lambda,
      pi_gamma: DEFAULT_PI_PARAMS.gamma,
      league_window: LEAGUE_WINDOW,
    },
    metrics: {
      ...evaluation.metrics,
      train_log_loss: logLoss(trainProbs, trainLabels),
      training_seconds: Math.round(trainingSeconds * 10) / 10,
    },
    data_fingerprint: await dataFingerprint(options.dataDir, files),
    backend,
  });
  trained.model.dispose();
  log(`registered ${name} version ${metadata.version} (run ${metadata.run_id})`);

  const existing = await registry.aliases(name);
  const aliases = options.aliases ?? (existing.champion === undefined ? ['candidate', 'champion'] : ['candidate']);
  for (const alias of aliases) await registry.setAlias(name, alias, metadata.version);
  log(`aliases: ${JSON.stringify(await registry.aliases(name))}`);

  // Serving must see exactly what was evaluated: reload through the registry and compare.
  const served = await loadModel(options.registryRoot, `${name}@${metadata.version}`);
  const reloaded = served.predict(split.validation.map((r) => r.features));
  served.dispose();
  let reloadMaxAbsDiff = 0;
  reloaded.forEach((row, i) => row.forEach((p, c) => {
    reloadMaxAbsDiff = Math.max(reloadMaxAbsDiff, Math.abs(p - (modelProbs[i]?.[c] ?? Number.NaN)));
  }));
  if (!(reloadMaxAbsDiff < 1e-5)) throw new Error(`Reloaded model disagrees with the trained one by ${reloadMaxAbsDiff}`);

  return {
    metadata,
    aliases: await registry.aliases(name),
    evaluation,
    matchesLoaded: matches.length,
    rejectedRows: rejected.length,
    trainingSeconds,
    reloadMaxAbsDiff,
  };
}

function toMatrix(rows: readonly LabelledRow[], signature: Parameters<typeof toModelInput>[1]): Matrix {
  return { data: toModelInput(rows.map((r) => r.features), signature), rows: rows.length, width: signature.length };
}
