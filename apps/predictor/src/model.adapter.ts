import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectMetric, Metrics } from '@app/metrics';
import { AppLogger } from '@app/platform';
import {
  initTfBackend,
  loadMatches,
  loadModel,
  MatchHistory,
  ModelRegistry,
  RegistryWatcher,
  type FeatureVector,
  type LoadedModel,
} from '@app/ml';
import type { Counter, Gauge } from 'prom-client';
import { PREDICTOR_CONFIG, PredictorConfig } from './predictor.config.js';

/** How long a replaced model stays usable for rows already validated against it. */
const RETIRED_MODEL_GRACE_MS = 10_000;

/**
 * The TF.js model and the match history, loaded once per process before anything is consumed (bootstrap
 * awaits module init before it starts the consumers). A new model behind MODEL_REF (a promotion) is loaded
 * beside the old one and swapped in between two calls: scoring is synchronous, so no request ever sees a
 * half-loaded model, and in-flight work is neither failed nor dropped.
 */
@Injectable()
export class ModelAdapter implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = AppLogger.for(ModelAdapter.name);
  private model: LoadedModel | undefined;
  private history: MatchHistory | undefined;
  private readonly watcher: RegistryWatcher;

  constructor(
    @Inject(PREDICTOR_CONFIG) private readonly config: PredictorConfig,
    @InjectMetric(Metrics.modelInfo.name) private readonly modelInfo: Gauge<string>,
    @InjectMetric(Metrics.modelReloads.name) private readonly reloads: Counter<string>,
  ) {
    this.watcher = new RegistryWatcher(
      new ModelRegistry(config.MODEL_REGISTRY_DIR),
      config.MODEL_REF,
      config.MODEL_POLL_MS,
      () => this.model?.metadata,
      () => this.swap(),
      (error) => {
        this.reloads.inc({ outcome: 'failure' });
        this.logger.error('model hot swap failed, still serving the previous model', {
          model_ref: config.MODEL_REF,
          serving_version: this.model?.metadata.version,
          err: error,
        });
      },
    );
  }

  async onModuleInit(): Promise<void> {
    const started = Date.now();
    const backend = await initTfBackend();
    const [model, data] = await Promise.all([
      loadModel(this.config.MODEL_REGISTRY_DIR, this.config.MODEL_REF),
      loadMatches(this.config.MATCH_DATA_DIR),
    ]);
    this.serve(model);
    this.history = MatchHistory.fromMatches(data.matches);
    this.logger.info('model and match history loaded', {
      backend,
      history_matches: data.matches.length,
      rejected_rows: data.rejected.length,
      duration_ms: Date.now() - started,
    });
    this.watcher.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.watcher.stop();
    this.model?.dispose();
  }

  isLoaded(): boolean {
    return this.model !== undefined && this.history !== undefined;
  }

  get loaded(): LoadedModel {
    if (!this.model) throw new Error('model not loaded');
    return this.model;
  }

  /** Point-in-time features of a known match, or undefined when the match is not in the history. */
  featuresFor(matchId: number): FeatureVector | undefined {
    return this.history?.featuresFor(matchId);
  }

  /** Checks the registry now instead of waiting for the next poll. */
  refresh(): Promise<void> {
    return this.watcher.check();
  }

  private async swap(): Promise<void> {
    const next = await loadModel(this.config.MODEL_REGISTRY_DIR, this.config.MODEL_REF);
    const previous = this.model;
    if (previous && previous.metadata.version === next.metadata.version && previous.metadata.run_id === next.metadata.run_id) {
      next.dispose();
      return;
    }
    this.serve(next);
    // Rows validated against the previous model may still be in a forming batch: let them finish first.
    if (previous) setTimeout(() => previous.dispose(), RETIRED_MODEL_GRACE_MS).unref();
    this.reloads.inc({ outcome: 'success' });
  }

  private serve(model: LoadedModel): void {
    const before = this.model?.metadata;
    this.model = model;
    const m = model.metadata;
    this.modelInfo.reset();
    this.modelInfo.set({ name: m.name, version: String(m.version), alias: model.alias ?? '', run_id: m.run_id, backend: model.backend }, 1);
    const fields = { model_name: m.name, model_version: m.version, model_alias: model.alias, run_id: m.run_id, backend: model.backend };
    if (before) this.logger.info(`model swapped: v${before.version} → v${m.version}`, { ...fields, previous_version: before.version, previous_run_id: before.run_id });
    else this.logger.info(`serving ${m.name} v${m.version}`, fields);
  }
}
