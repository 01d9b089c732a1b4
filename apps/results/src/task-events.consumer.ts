import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import {
  expandTaskBatchV2,
  Patterns,
  TaskRetryingMessage,
  TaskStartedMessage,
  TaskSucceededMessage,
  validateMessage,
  validateTaskBatch,
  validateTaskBatchV2,
} from '@app/contracts';
import { BatchQueueConsumer, BrokerTopology, MessageSettler, REQUEUE_DELAY_MS, type Delivery } from '@app/messaging';
import { AppLogger } from '@app/platform';
import { ResultsConfig } from './results.config.js';
import { TaskStateService } from './task-state.service.js';

/**
 * Task lifecycle events from the predictor, consumed outside Nest's RMQ server (ADR 0013), settled as
 * `SettleMessageInterceptor` settles events (`MessageSettler.settleFailedEvent`): ack once applied; reject an invalid payload, an unknown pattern or a body that
 * is not an event envelope (to the queue's dead-letter exchange); requeue after a pause on any other error
 * (Redis away). Deliveries are handled as they arrive, as many at once as the prefetch allows.
 */
@Injectable()
export class TaskEventsConsumer implements BeforeApplicationShutdown {
  private readonly log = AppLogger.for(TaskEventsConsumer.name);
  private consumer: BatchQueueConsumer | undefined;
  /** A Map, not an object: a pattern such as `constructor` must not find Object.prototype's. */
  private readonly handlers: ReadonlyMap<string, (data: unknown) => Promise<void>>;

  constructor(
    tasks: TaskStateService,
    private readonly settler: MessageSettler,
    private readonly broker: BrokerTopology,
    private readonly config: ResultsConfig,
  ) {
    this.handlers = new Map<string, (data: unknown) => Promise<void>>([
      [Patterns.taskStarted, (data) => tasks.recordStarted(validateMessage(TaskStartedMessage, data))],
      [Patterns.taskRetrying, (data) => tasks.recordRetrying(validateMessage(TaskRetryingMessage, data))],
      [Patterns.taskSucceeded, (data) => tasks.recordSucceeded(validateMessage(TaskSucceededMessage, data))],
      // A predictor batch: every write is idempotent, so a redelivered batch after a partial failure is harmless.
      [Patterns.taskBatch, (data) => tasks.recordBatch(validateTaskBatch(data))],
      // The same batch in its compact form (what predictors send now); applied exactly as its v1 expansion.
      [Patterns.taskBatchV2, (data) => tasks.recordBatch(expandTaskBatchV2(validateTaskBatchV2(data)))],
    ]);
  }

  /** Starts consuming `results.events`; called by bootstrap once HTTP is up. */
  async start(): Promise<void> {
    const prefetch = this.config.RESULTS_PREFETCH;
    this.consumer = new BatchQueueConsumer(
      { url: this.config.AMQP_URL },
      { queue: this.broker.topology.queues.events, prefetch, maxBatch: prefetch, windowMs: 0 },
      async (deliveries) => {
        await Promise.all(deliveries.map((delivery) => this.apply(delivery)));
      },
    );
    await this.consumer.ready();
  }

  /** Readiness: the events queue is being consumed. */
  isConsuming(): boolean {
    return this.consumer?.isConsuming() ?? false;
  }

  /** Applies and settles what it took before the app's connections (Redis included) close. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }

  /** Applies one event and settles its delivery; never rejects. */
  async apply(delivery: Delivery): Promise<void> {
    const handler = delivery.pattern === undefined ? undefined : this.handlers.get(delivery.pattern);
    if (!handler) {
      this.log.warn('rejecting a message that is no task event to the dead-letter exchange', { pattern: delivery.pattern, error: delivery.parseError });
      this.settler.reject(delivery.ctx);
      return;
    }
    try {
      await handler(delivery.data);
      this.settler.ack(delivery.ctx);
    } catch (error) {
      const settled = this.settler.settleFailedEvent(delivery.ctx, error);
      const message = error instanceof Error ? error.message : String(error);
      if (settled === 'rejected') this.log.warn(`rejected an invalid ${delivery.pattern} message to the dead-letter exchange`, { error: message });
      else this.log.warn('event not applied, requeued after a pause', { pattern: delivery.pattern, error: message, requeue_ms: REQUEUE_DELAY_MS });
    }
  }
}
