import { EventPattern, Payload } from '@nestjs/microservices';
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
import { BrokerConsumer } from '@app/messaging';
import { RESULTS_EVENTS_TRANSPORT } from './results.transports.js';
import { TaskStateService } from './task-state.service.js';

/**
 * Task lifecycle events from the predictor. The settle interceptor acks on success, rejects an invalid
 * payload (MessageValidationError) and requeues after a pause on any other error (e.g. Redis away).
 */
@BrokerConsumer()
export class TaskEventsConsumer {
  constructor(private readonly tasks: TaskStateService) {}

  @EventPattern(Patterns.taskStarted, RESULTS_EVENTS_TRANSPORT)
  async started(@Payload() data: unknown): Promise<void> {
    await this.tasks.recordStarted(validateMessage(TaskStartedMessage, data));
  }

  @EventPattern(Patterns.taskRetrying, RESULTS_EVENTS_TRANSPORT)
  async retrying(@Payload() data: unknown): Promise<void> {
    await this.tasks.recordRetrying(validateMessage(TaskRetryingMessage, data));
  }

  @EventPattern(Patterns.taskSucceeded, RESULTS_EVENTS_TRANSPORT)
  async succeeded(@Payload() data: unknown): Promise<void> {
    await this.tasks.recordSucceeded(validateMessage(TaskSucceededMessage, data));
  }

  /** A predictor batch: every write is idempotent, so a redelivered batch after a partial failure is harmless. */
  @EventPattern(Patterns.taskBatch, RESULTS_EVENTS_TRANSPORT)
  async batch(@Payload() data: unknown): Promise<void> {
    await this.tasks.recordBatch(validateTaskBatch(data));
  }

  /** The same batch in its compact form (what predictors send now); applied exactly as its v1 expansion. */
  @EventPattern(Patterns.taskBatchV2, RESULTS_EVENTS_TRANSPORT)
  async batchV2(@Payload() data: unknown): Promise<void> {
    await this.tasks.recordBatch(expandTaskBatchV2(validateTaskBatchV2(data)));
  }
}
