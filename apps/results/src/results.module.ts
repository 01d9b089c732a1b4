import { Module, type DynamicModule } from '@nestjs/common';
import { BrokerTopology, MessagingModule, type TopologyOptions } from '@app/messaging';
import { Metrics, MetricsModule } from '@app/metrics';
import { HealthController, READINESS_CHECKS, type BaseConfig, type ReadinessCheck } from '@app/platform';
import { DeadLetterConsumer } from './dead-letter.consumer.js';
import { RedisLifecycle, redisProvider } from './redis.provider.js';
import { ResultsConfig } from './results.config.js';
import { TaskEventsConsumer } from './task-events.consumer.js';
import { TaskRpcConsumer } from './task-rpc.consumer.js';
import { TaskSettledPublisher } from './task-settled.publisher.js';
import { TaskStateService } from './task-state.service.js';
import { TaskRepository } from './task.repository.js';

/** Results never retries, so it declares no retry queues. */
export function resultsTopologyOptions(config: Pick<BaseConfig, 'QUEUE_PREFIX'>): TopologyOptions {
  return { prefix: config.QUEUE_PREFIX, retryDelaysMs: [] };
}

/** Task state: RPC + events + dead letters in, Redis behind one repository, `/metrics` and health out. */
@Module({})
export class ResultsModule {
  static forConfig(config: ResultsConfig): DynamicModule {
    return {
      module: ResultsModule,
      imports: [
        MessagingModule.forRoot({ url: config.AMQP_URL }, resultsTopologyOptions(config)),
        MetricsModule.forApp('results', [Metrics.httpRequestDuration, Metrics.taskTransitions]),
      ],
      controllers: [DeadLetterConsumer, HealthController],
      providers: [
        { provide: ResultsConfig, useValue: config },
        redisProvider,
        RedisLifecycle,
        TaskRepository,
        TaskStateService,
        TaskSettledPublisher,
        TaskRpcConsumer,
        TaskEventsConsumer,
        {
          provide: READINESS_CHECKS,
          inject: [BrokerTopology, TaskRepository, TaskRpcConsumer, TaskEventsConsumer],
          useFactory: (broker: BrokerTopology, tasks: TaskRepository, rpc: TaskRpcConsumer, events: TaskEventsConsumer): ReadinessCheck[] => [
            { name: 'broker', isReady: () => broker.isConnected() },
            { name: 'rpc_queue', isReady: () => rpc.isConsuming() },
            { name: 'events_queue', isReady: () => events.isConsuming() },
            { name: 'redis', isReady: () => tasks.isReachable() },
          ],
        },
      ],
    };
  }
}
