import { Module, type DynamicModule } from '@nestjs/common';
import { BrokerTopology, EventPublisher, MessagingModule, type BrokerOptions } from '@app/messaging';
import { Metrics, MetricsModule } from '@app/metrics';
import { HealthController, READINESS_CHECKS, type ReadinessCheck } from '@app/platform';
import { InteractiveConsumer } from './interactive.consumer.js';
import { InteractiveGate } from './interactive-gate.js';
import { ModelAdapter } from './model.adapter.js';
import { PredictionService } from './prediction.service.js';
import { PREDICTOR_CONFIG, type PredictorConfig } from './predictor.config.js';
import { PresencePublisher } from './presence.publisher.js';
import { TaskEventsPublisher } from './task-events.publisher.js';
import { TaskConsumer } from './task.consumer.js';

@Module({})
export class PredictorModule {
  static forConfig(config: PredictorConfig): DynamicModule {
    const broker: BrokerOptions = { url: config.AMQP_URL };
    return {
      module: PredictorModule,
      imports: [
        MessagingModule.forRoot(broker, { prefix: config.QUEUE_PREFIX, retryDelaysMs: config.retryDelaysMs() }),
        MetricsModule.forApp('predictor', [
          Metrics.httpRequestDuration,
          Metrics.inferenceDuration,
          Metrics.inferenceBatchSize,
          Metrics.tasksProcessed,
          Metrics.syncRequestsExpired,
          Metrics.deadLettered,
          Metrics.modelInfo,
          Metrics.modelReloads,
        ]),
      ],
      controllers: [HealthController],
      providers: [
        { provide: PREDICTOR_CONFIG, useValue: config },
        ModelAdapter,
        PredictionService,
        PresencePublisher,
        { provide: InteractiveGate, inject: [PREDICTOR_CONFIG], useFactory: (c: PredictorConfig) => new InteractiveGate(c.ASYNC_SHARE_WHILE_SYNC) },
        InteractiveConsumer,
        TaskConsumer,
        {
          provide: TaskEventsPublisher,
          inject: [BrokerTopology],
          useFactory: (topology: BrokerTopology) =>
            new TaskEventsPublisher(EventPublisher.connect(broker, topology.topology.queues.events)),
        },
        {
          provide: READINESS_CHECKS,
          inject: [BrokerTopology, ModelAdapter, InteractiveConsumer, TaskConsumer],
          useFactory: (topology: BrokerTopology, model: ModelAdapter, interactive: InteractiveConsumer, tasks: TaskConsumer): ReadinessCheck[] => [
            { name: 'broker', isReady: () => topology.isConnected() },
            { name: 'model', isReady: () => model.isLoaded() },
            { name: 'interactive_queue', isReady: () => interactive.isConsuming() },
            { name: 'work_queue', isReady: () => tasks.isConsuming() },
          ],
        },
      ],
    };
  }
}
