import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { Patterns, validatePredictionRequest, type Prediction, type ServingModelInfo } from '@app/contracts';
import { InjectMetric, Metrics } from '@app/metrics';
import { BrokerTopology, RpcFailure, RpcQueueConsumer, type RpcCall } from '@app/messaging';
import { AppLogger } from '@app/platform';
import type { Counter } from 'prom-client';
import { hostname } from 'node:os';
import { InteractiveGate } from './interactive-gate.js';
import { ModelAdapter } from './model.adapter.js';
import { PredictionService } from './prediction.service.js';
import { PREDICTOR_CONFIG, PredictorConfig } from './predictor.config.js';

/**
 * Sync lane: request/reply on the interactive queue, served by an `RpcQueueConsumer` outside Nest's
 * per-message pipeline (ADR 0009); every request is answered and acked, a failure as its error payload.
 */
@Injectable()
export class InteractiveConsumer implements BeforeApplicationShutdown {
  private readonly instance = `${hostname()}:${process.pid}`;
  private readonly log = AppLogger.for(InteractiveConsumer.name);
  private consumer: RpcQueueConsumer | undefined;

  constructor(
    private readonly predictions: PredictionService,
    private readonly model: ModelAdapter,
    private readonly gate: InteractiveGate,
    private readonly broker: BrokerTopology,
    @Inject(PREDICTOR_CONFIG) private readonly config: PredictorConfig,
    @InjectMetric(Metrics.syncRequestsExpired.name) private readonly expired: Counter<string>,
  ) {}

  /** Starts answering the interactive queue; called by bootstrap once the model is loaded and HTTP is up. */
  async start(): Promise<void> {
    this.consumer = new RpcQueueConsumer(
      { url: this.config.AMQP_URL },
      // The gate sees each request from delivery to reply, so async work steps aside for all of it and its CPU is not charged to async work.
      { queue: this.broker.topology.queues.interactive, prefetch: this.config.INTERACTIVE_PREFETCH, inFlight: this.gate },
      {
        [Patterns.predict]: (data, call) => this.predict(data, call),
        [Patterns.modelInfo]: () => this.modelInfo(),
      },
      this.log,
    );
    await this.consumer.ready();
  }

  /** Readiness: the interactive queue is being consumed. */
  isConsuming(): boolean {
    return this.consumer?.isConsuming() ?? false;
  }

  /** Answers the requests in flight before the app's connections close. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }

  async predict(data: unknown, call: Pick<RpcCall, 'correlationId'>): Promise<Prediction> {
    const request = validatePredictionRequest(data);
    // The broker drops expired messages at the queue head; this also catches ones delivered just too late.
    if (request.deadline_at !== undefined && request.deadline_at <= Date.now()) {
      this.expired.inc();
      this.log.warn('sync request expired before it was scored; dropped', { match_id: request.match_id, correlation_id: call.correlationId });
      throw new RpcFailure('deadline_exceeded', 'the caller stopped waiting before this request was scored');
    }
    return this.predictions.predict(request, 'sync');
  }

  modelInfo(): ServingModelInfo {
    const { metadata, alias, backend } = this.model.loaded;
    return {
      name: metadata.name,
      version: metadata.version,
      alias,
      run_id: metadata.run_id,
      created_at: metadata.created_at,
      backend,
      features: metadata.feature_signature.map((f) => f.name),
      metrics: metadata.metrics,
      training_window: metadata.training_window,
      instance: this.instance,
    };
  }
}
