import { Inject, Injectable, Logger, UnprocessableEntityException, type OnModuleInit } from '@nestjs/common';
import { featureMismatch } from '@app/contracts';
import { ModelRegistry, type ModelMetadata } from '@app/ml';
import { errorBody } from '@app/platform';
import { GATEWAY_CONFIG, GatewayConfig } from './gateway.config.js';

/**
 * The serving model's registry metadata, read from the registry (shared, read-only storage), so requests
 * with the wrong features are refused at the door, sync and async alike, before anything is queued.
 */
@Injectable()
export class ModelSignatureService implements OnModuleInit {
  private readonly logger = new Logger(ModelSignatureService.name);
  private current: { metadata: ModelMetadata; alias: string | null } | undefined;

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  async onModuleInit(): Promise<void> {
    const resolved = await new ModelRegistry(this.config.MODEL_REGISTRY_DIR).resolve(this.config.MODEL_REF);
    this.current = { metadata: resolved.metadata, alias: resolved.alias };
    this.logger.log(`feature signature of ${resolved.metadata.name} v${resolved.metadata.version}: ${resolved.metadata.feature_signature.length} features`);
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
}
