
import { Ctx, MessagePattern, Payload, RmqContext } from '@nestjs/microservices';
import { Patterns, PredictionRequestMessage, validateMessage, type Prediction, type ServingModelInfo } from '@app/contracts';
import { InjectMetric, Metrics } from '@app/metrics';
import { BrokerConsumer, correlationIdOf, RpcFailure } from '@app/messaging';
import { AppLogger } from '@app/platform';
import type { ConsumeMessage } from 'amqplib';
import type { Counter } from 'prom-client';
import { hostname } from 'node:os';
import { InteractiveGate } from './interactive-gate.js';
import { ModelAdapter } from './model.adapter.js';
import { PredictionService } from './prediction.service.js';
import { INTERACTIVE_TRANSPORT } from './predictor.transports.js';

/** Sync lane: request/reply on the interactive queue. The settle interceptor acks every delivery. */
@BrokerConsumer()
export class InteractiveConsumer {
  private readonly instance = `${hostname()}:${process.pid}`;
  private readonly log = AppLogger.for(InteractiveConsumer.name);

  constructor(
    private readonly predictions: PredictionService,
    private readonly model: ModelAdapter,
    private readonly gate: InteractiveGate,
    @InjectMetric(Metrics.syncRequestsExpired.name) private readonly expired: Counter<string>,
  ) {}

  @MessagePattern(Patterns.predict, INTERACTIVE_TRANSPORT)
  async predict(@Payload() data: unknown, @Ctx() ctx: RmqContext): Promise<Prediction> {
    const request = validateMessage(PredictionRequestMessage, data);
    // The broker drops expired messages at the queue head; this also catches ones delivered just too late.
    if (request.deadline_at !== undefined && request.deadline_at <= Date.now()) {
      this.expired.inc();
      const correlationId = correlationIdOf((ctx.getMessage() as ConsumeMessage).properties.headers);
      this.log.warn('sync request expired before it was scored; dropped', { match_id: request.match_id, correlation_id: correlationId });
      throw new RpcFailure('deadline_exceeded', 'the caller stopped waiting before this request was scored');
    }
    this.gate.enter();
    try {
      return await this.predictions.predict(request, 'sync');
    } finally {
      this.gate.leave();
    }
  }

  @MessagePattern(Patterns.modelInfo, INTERACTIVE_TRANSPORT)
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
