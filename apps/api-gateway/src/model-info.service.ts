import { Inject, Injectable } from '@nestjs/common';
import { Patterns, type ServingModelInfo } from '@app/contracts';
import { RpcClient } from '@app/messaging';
import { PREDICTOR_RPC } from './gateway.transports.js';
import { ModelSignatureService } from './model-signature.service.js';

/** A predictor that does not answer this fast is reported as absent rather than holding the page up. */
const SERVING_PROBE_TIMEOUT_MS = 2000;

export interface ModelInfoView {
  name: string;
  version: number;
  alias: string | null;
  run_id: string;
  created_at: string;
  metrics: Record<string, number>;
  features: string[];
  training_window: { from: string; to: string; rows: number };
  hyperparameters: Record<string, number | string>;
  /** What a live predictor reports it serves (with its TF.js backend), or null when none answered. */
  serving: ServingModelInfo | null;
  backend: string | null;
}

/** Registry metadata of the configured model, plus what a live predictor says it is serving. */
@Injectable()
export class ModelInfoService {
  constructor(
    private readonly signature: ModelSignatureService,
    @Inject(PREDICTOR_RPC) private readonly predictor: RpcClient,
  ) {}

  async describe(): Promise<ModelInfoView> {
    const { metadata, alias } = this.signature.model;
    const serving = await this.predictor
      .call(Patterns.modelInfo, {}, { timeoutMs: SERVING_PROBE_TIMEOUT_MS })
      .catch(() => null);
    return {
      name: metadata.name,
      version: metadata.version,
      alias,
      run_id: metadata.run_id,
      created_at: metadata.created_at,
      metrics: metadata.metrics,
      features: metadata.feature_signature.map((f) => f.name),
      training_window: metadata.training_window,
      hyperparameters: metadata.hyperparameters,
      serving,
      backend: serving?.backend ?? null,
    };
  }
}
