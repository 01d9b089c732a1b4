import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectMetric, Metrics } from '@app/metrics';
import { initTfBackend, loadMatches, loadModel, MatchHistory, type FeatureVector, type LoadedModel } from '@app/ml';
import type { Gauge } from 'prom-client';
import { PREDICTOR_CONFIG, PredictorConfig } from './predictor.config.js';

/**
 * The TF.js model and the match history, loaded once per process before anything is consumed
 * (bootstrap awaits module init before it starts the consumers).
 */
@Injectable()
export class ModelAdapter implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ModelAdapter.name);
  private model: LoadedModel | undefined;
  private history: MatchHistory | undefined;

  constructor(
    @Inject(PREDICTOR_CONFIG) private readonly config: PredictorConfig,
    @InjectMetric(Metrics.modelInfo.name) private readonly modelInfo: Gauge<string>,
  ) {}

  async onModuleInit(): Promise<void> {
    const started = Date.now();
    const backend = await initTfBackend();
    const [model, data] = await Promise.all([
      loadModel(this.config.MODEL_REGISTRY_DIR, this.config.MODEL_REF),
      loadMatches(this.config.MATCH_DATA_DIR),
    ]);
    this.model = model;
    this.history = MatchHistory.fromMatches(data.matches);
    const m = model.metadata;
    this.modelInfo.set({ name: m.name, version: String(m.version), alias: model.alias ?? '', run_id: m.run_id, backend }, 1);
    this.logger.log(
      `serving ${m.name} v${m.version} (${model.alias ?? 'no alias'}, run ${m.run_id}) on TF.js backend "${backend}"; ` +
        `${data.matches.length} matches of history, ${data.rejected.length} rows rejected; ready in ${Date.now() - started} ms`,
    );
  }

  onApplicationShutdown(): void {
    this.model?.dispose();
  }

  isLoaded(): boolean {
    return this.model !== undefined && this.history !== undefined;
  }

  get loaded(): LoadedModel {
    if (!this.model) throw new Error('model not loaded');
    return this.model;
  }

  featureNames(): string[] {
    return this.loaded.metadata.feature_signature.map((f) => f.name);
  }

  /** Point-in-time features of a known match, or undefined when the match is not in the history. */
  featuresFor(matchId: number): FeatureVector | undefined {
    return this.history?.featuresFor(matchId);
  }

  predict(rows: FeatureVector[]): number[][] {
    return this.loaded.predict(rows);
  }
}
