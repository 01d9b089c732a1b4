import { Inject, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload, RmqContext } from '@nestjs/microservices';
import { MessageValidationError, Patterns, PredictionRequestMessage, validateMessage, type DeadLetterReason } from '@app/contracts';
import { InjectMetric, Metrics } from '@app/metrics';
import { attemptOf, BrokerConsumer, BrokerTopology, MessageSettler, RpcFailure } from '@app/messaging';
import type { ConsumeMessage } from 'amqplib';
import type { Counter } from 'prom-client';
import { PredictionService } from './prediction.service.js';
import { PREDICTOR_CONFIG, PredictorConfig } from './predictor.config.js';
import { WORK_TRANSPORT } from './predictor.transports.js';
import { TaskEventsPublisher } from './task-events.publisher.js';

/**
 * Async lane. Each delivery is one attempt: `started` event → score → `succeeded` event → ack. A failed
 * attempt goes to the next retry queue (it comes back after the delay) or, after the last attempt, to the
 * dead-letter exchange, where `results` marks the task failed. The original is acked only after the
 * outcome is confirmed by the broker, so a crash at any point redelivers it.
 */
@BrokerConsumer()
export class TaskConsumer {
  private readonly logger = new Logger(TaskConsumer.name);
  private readonly faultyMatchIds: ReadonlySet<number>;

  constructor(
    private readonly predictions: PredictionService,
    private readonly events: TaskEventsPublisher,
    private readonly settler: MessageSettler,
    private readonly broker: BrokerTopology,
    @Inject(PREDICTOR_CONFIG) config: PredictorConfig,
    @InjectMetric(Metrics.tasksProcessed.name) private readonly processed: Counter<string>,
    @InjectMetric(Metrics.deadLettered.name) private readonly deadLettered: Counter<string>,
  ) {
    this.faultyMatchIds = config.faultyMatchIds();
  }

  @EventPattern<string>(Patterns.predictTask, WORK_TRANSPORT)
  async onTask(@Payload() data: unknown, @Ctx() ctx: RmqContext): Promise<void> {
    const attempt = attemptOf((ctx.getMessage() as ConsumeMessage).properties.headers);
    let request: PredictionRequestMessage;
    try {
      request = validateMessage(PredictionRequestMessage, data);
      if (!request.task_id) throw new MessageValidationError(['task_id is required on an async task']);
    } catch (error) {
      return this.deadLetter(ctx, 'invalid_message', errorText(error), attempt);
    }
    const taskId = request.task_id;
    await this.events.publish(Patterns.taskStarted, { task_id: taskId, attempt, at: now() }, `${taskId}:${attempt}:started`);
    try {
      if (this.faultyMatchIds.has(request.match_id)) throw new Error(`injected fault for match ${request.match_id}`);
      const result = await this.predictions.predict(request, 'async');
      await this.events.publish(Patterns.taskSucceeded, { task_id: taskId, attempt, result, at: now() }, `${taskId}:success`);
      this.processed.inc({ outcome: 'success' });
      this.settler.ack(ctx);
    } catch (error) {
      await this.onAttemptFailed(ctx, taskId, attempt, error);
    }
  }

  private async onAttemptFailed(ctx: RmqContext, taskId: string, attempt: number, error: unknown): Promise<void> {
    const text = errorText(error);
    // A request that can never succeed (unknown match, wrong features) is not worth retrying.
    if (error instanceof RpcFailure) return this.deadLetter(ctx, 'permanent_error', text, attempt);
    const retryQueue = this.broker.topology.retryQueueFor(attempt);
    if (!retryQueue) return this.deadLetter(ctx, 'attempts_exhausted', text, attempt);
    const delay = retryQueue.delayMs;
    this.logger.warn(`task ${taskId} attempt ${attempt} failed (${text}); retrying in ${delay} ms`);
    await this.events.publish(
      Patterns.taskRetrying,
      { task_id: taskId, attempt, error: text.slice(0, 2000), retry_in_ms: delay, at: now() },
      `${taskId}:${attempt}:retry`,
    );
    await this.settler.retry(ctx, retryQueue.name, attempt + 1, text);
    this.processed.inc({ outcome: 'retry' });
  }

  private async deadLetter(ctx: RmqContext, reason: DeadLetterReason, error: string, attempt: number): Promise<void> {
    this.logger.warn(`dead-lettering a task message (${reason}): ${error}`);
    await this.settler.deadLetter(ctx, this.broker.topology.deadLetterExchange, reason, error, attempt);
    this.deadLettered.inc({ reason });
    this.processed.inc({ outcome: 'failure' });
  }
}

function now(): string {
  return new Date().toISOString();
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
