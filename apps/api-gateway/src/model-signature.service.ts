import { Inject, Injectable, Logger, UnprocessableEntityException, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { featureMismatch } from '@app/contracts';
import { ModelRegistry, RegistryWatcher, type ModelMetadata, type ResolvedModel } from '@app/ml';
import { errorBody } from '@app/platform';
import { GATEWAY_CONFIG, GatewayConfig } from './gateway.config.js';

/**
 * The serving model's registry metadata, read from the registry (shared, read-only storage), so requests
 * with the wrong features are refused at the door, sync and async alike, before anything is queued.
 * Follows promotions the same way the predictors do (polling MODEL_REF).
 */
@Injectable()
export class ModelSignatureService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ModelSignatureService.name);
  private readonly registry: ModelRegistry;
  private readonly watcher: RegistryWatcher;
  private current: { metadata: ModelMetadata; alias: string | null } | undefined;

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {
    this.registry = new ModelRegistry(config.MODEL_REGISTRY_DIR);
    this.watcher = new RegistryWatcher(
      this.registry,
      config.MODEL_REF,
      config.MODEL_POLL_MS,
      () => this.current?.metadata,
      (resolved) => Promise.resolve(this.use(resolved)),
      (error) => this.logger.error(`could not re-read the model registry: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  async onModuleInit(): Promise<void> {
    this.use(await this.registry.resolve(this.config.MODEL_REF));
    this.watcher.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.watcher.stop();
  }

  get model(): { metadata: ModelMetadata; alias: string | null } {
    if (!this.current) throw new Error('model metadata not loaded');
    return this.current;
  }

  /** Throws 422 naming the unknown and missing features. */
  check(features: Record<string, number | null> | undefined): void {
    if (!features) return;
    const { unknown, missing } = featureMismatch(
      this.model.metadata.feature_signature.map((f) => f.name),
      features,
    );
    if (unknown.length > 0 || missing.length > 0) {
      throw new UnprocessableEntityException(errorBody(422, 'features do not match the serving model', { unknown, missing }));
    }
  }

  private use(resolved: ResolvedModel): void {
    const m = resolved.metadata;
    this.current = { metadata: m, alias: resolved.alias };
    this.logger.log(`checking requests against ${m.name} v${m.version} (${resolved.alias ?? 'no alias'}): ${m.feature_signature.length} features`);
  }
}
