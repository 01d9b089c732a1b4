import { Module, type DynamicModule } from '@nestjs/common';
import { BrokerTopology, MessagingModule, type BrokerOptions } from '@app/messaging';
import { Metrics, MetricsModule } from '@app/metrics';
import { HealthController, READINESS_CHECKS, type ReadinessCheck } from '@app/platform';
import { BatchPredictionsRepository } from './batch-predictions.repository.js';
import { BrokerClients } from './broker-clients.js';
import { GATEWAY_CONFIG, type GatewayConfig } from './gateway.config.js';
import { PREDICTOR_RPC, RESULTS_RPC, TASK_PUBLISHER } from './gateway.transports.js';
import { InferenceService } from './inference.service.js';
import { MatchesRepository } from './matches.repository.js';
import { ModelInfoService } from './model-info.service.js';
import { ModelSignatureService } from './model-signature.service.js';
import { MonitoringController } from './monitoring.controller.js';
import { PredictController } from './predict.controller.js';
import { PredictionRoutes } from './prediction-routes.js';
import { PredictorPresenceService } from './predictor-presence.service.js';
import { QueueStatsService } from './queue-stats.service.js';
import { TaskSettlementService } from './task-settlement.service.js';
import { TaskPublisher } from './task-publisher.js';
import { TaskStoreClient } from './task-store.client.js';
import { STATUS_CACHE_KEEP_MS, TaskViewCache } from './task-view-cache.js';

@Module({})
export class GatewayModule {
  static forConfig(config: GatewayConfig): DynamicModule {
    const broker: BrokerOptions = { url: config.AMQP_URL };
    return {
      module: GatewayModule,
      imports: [
        MessagingModule.forRoot(broker, { prefix: config.QUEUE_PREFIX, retryDelaysMs: [] }),
        MetricsModule.forApp('api-gateway', [
          Metrics.httpRequestDuration,
          Metrics.predictionRequests,
          Metrics.predictionTimeouts,
          Metrics.brokerQueueMessages,
          Metrics.brokerQueueConsumers,
          Metrics.predictorsUp,
          Metrics.taskStatusWaiters,
          Metrics.taskStatusReads,
        ]),
      ],
      controllers: [PredictController, MonitoringController, HealthController],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: BrokerClients, inject: [BrokerTopology], useFactory: (t: BrokerTopology) => new BrokerClients(broker, t.topology, config.BROKER_CONNECT_TIMEOUT_MS) },
        { provide: PREDICTOR_RPC, inject: [BrokerClients], useFactory: (c: BrokerClients) => c.predictor },
        { provide: RESULTS_RPC, inject: [BrokerClients], useFactory: (c: BrokerClients) => c.results },
        { provide: TASK_PUBLISHER, inject: [BrokerClients], useFactory: (c: BrokerClients) => c.tasks },
        ModelSignatureService,
        TaskStoreClient,
        TaskPublisher,
        InferenceService,
        PredictionRoutes,
        BatchPredictionsRepository,
        MatchesRepository,
        ModelInfoService,
        QueueStatsService,
        PredictorPresenceService,
        {
          provide: TaskViewCache,
          useFactory: () => new TaskViewCache({ maxTasks: config.STATUS_CACHE_MAX_TASKS, freshMs: config.STATUS_CACHE_FRESH_MS, keepMs: STATUS_CACHE_KEEP_MS }),
        },
        TaskSettlementService,
        {
          provide: READINESS_CHECKS,
          inject: [BrokerTopology],
          useFactory: (topology: BrokerTopology): ReadinessCheck[] => [{ name: 'broker', isReady: () => topology.isConnected() }],
        },
      ],
    };
  }
}
