import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import {
  MessageValidationError,
  Patterns,
  readTaskBundle,
  taskBatchV2Of,
  validatePredictionRequest,
  type PredictionRequestMessage,
  type DeadLetterReason,
  type Prediction,
  type TaskStartedMessage,
  type TaskSucceededMessage,
} from '@app/contracts';
import { InjectMetric, Metrics } from '@app/metrics';
import {
  attemptOf,
  BatchQueueConsumer,
  BrokerTopology,
  bundlePartOf,
  correlationIdOf,
  MessageSettler,
  requeueParts,
  RpcFailure,
  splitDelivery,
  type BundleRouting,
  type Delivery,
} from '@app/messaging';
import { AppLogger } from '@app/platform';
import type { Counter } from 'prom-client';
import { InteractiveGate } from './interactive-gate.js';
import { PredictionService } from './prediction.service.js';
import { PREDICTOR_CONFIG, PredictorConfig } from './predictor.config.js';
import { TaskEventsPublisher } from './task-events.publisher.js';

/** A delivery that passed validation: one attempt of one task. */
interface Attempt {
  delivery: Delivery;
  request: PredictionRequestMessage & { task_id: string };
  attempt: number;
  /** From the gateway's `X-Correlation-Id`, carried in the message header; on every event and log line. */
  correlationId: string | undefined;
}

/** Longest an async batch stage waits for sync requests in flight to finish (see InteractiveGate). */
const STEP_ASIDE_MAX_MS = 20;

/** Deliveries validated between two chances for a sync request to cut in. */
const VALIDATION_CHUNK = 16;

/** How long a batch that could not be finished waits before it is handed back to the queue. */
const REQUEUE_AFTER_PUBLISH_FAILURE_MS = 1000;

/**
 * Async lane, a batch at a time (dynamic batching, ADR 0005): the deliveries that arrive within
 * BATCH_WINDOW_MS (at most BATCH_MAX_SIZE) are scored in one model call, their `started` and `succeeded`
 * events go to `results` in one confirmed message, and only then is each delivery acked, so a crash at any
 * point redelivers. A failed attempt goes to the next retry queue (it comes back after the delay) or, after
 * the last attempt, to the dead-letter exchange, where `results` marks the task failed.
 */
@Injectable()
export class TaskConsumer implements BeforeApplicationShutdown {
  private readonly log = AppLogger.for(TaskConsumer.name);
  private readonly faultyMatchIds: ReadonlySet<number>;
  private consumer: BatchQueueConsumer | undefined;

  constructor(
    private readonly predictions: PredictionService,
    private readonly events: TaskEventsPublisher,
    private readonly settler: MessageSettler,
    private readonly broker: BrokerTopology,
    private readonly gate: InteractiveGate,
    @Inject(PREDICTOR_CONFIG) private readonly config: PredictorConfig,
    @InjectMetric(Metrics.tasksProcessed.name) private readonly processed: Counter<string>,
    @InjectMetric(Metrics.deadLettered.name) private readonly deadLettered: Counter<string>,
  ) {
    this.faultyMatchIds = config.faultyMatchIds();
  }

  /** Starts consuming the work queue; called by bootstrap once the model is loaded and HTTP is up. */
  async start(): Promise<void> {
    this.consumer = new BatchQueueConsumer(
      { url: this.config.AMQP_URL },
      {
        queue: this.broker.topology.queues.work,
        prefetch: this.config.PREDICTOR_PREFETCH,
        maxBatch: this.config.BATCH_MAX_SIZE,
        windowMs: this.config.BATCH_WINDOW_MS,
      },
      (batch) => this.onBatch(batch),
    );
    await this.consumer.ready();
  }

  /** Readiness: the work queue is being consumed (a predictor that only answers HTTP is not ready). */
  isConsuming(): boolean {
    return this.consumer?.isConsuming() ?? false;
  }

  /** Finishes (and settles) the batches in flight while the event publisher is still connected. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }

  async onBatch(delivered: Delivery[]): Promise<void> {
    const attempts: Attempt[] = [];
    // Deliveries settled without being scored: invalid ones dead-lettered, redelivered bundles requeued.
    const unscored: Promise<void>[] = [];
    const batch = this.unbundle(delivered, unscored);
    for (let start = 0; start < batch.length; start += VALIDATION_CHUNK) {
      // A batch holds the event loop for milliseconds: sync requests get in between its stages.
      await this.gate.stepAside(STEP_ASIDE_MAX_MS);
      await this.gate.paced(() => {
        for (const delivery of batch.slice(start, start + VALIDATION_CHUNK)) {
          const headers = delivery.message.properties.headers;
          const attempt = attemptOf(headers);
          const correlationId = correlationIdOf(headers);
          const request = this.validate(delivery);
          if (request instanceof Error) unscored.push(this.deadLetter(delivery, 'invalid_message', request.message, attempt, correlationId));
          else attempts.push({ delivery, request, attempt, correlationId });
        }
      });
    }
    try {
      await Promise.all([...unscored, this.run(attempts)]);
    } catch (error) {
      // Unexpected (a bug, not a task's fault): hand back whatever is unsettled rather than hold its prefetch
      // slot until the channel closes.
      this.log.error('a batch failed unexpectedly; requeueing what it had not settled', { tasks: batch.length, error: errorText(error) });
      for (const delivery of batch) this.settler.requeueLater(delivery.ctx, REQUEUE_AFTER_PUBLISH_FAILURE_MS);
    }
  }

  /**
   * Every task of the batch as a delivery of its own (ADR 0012): a bundle's tasks are split off it, to be settled
   * one by one. A bundle delivered again is not scored: its tasks go back to the queue one message each (see
   * `requeueParts`). A bundle whose envelope is wrong is dead-lettered whole.
   */
  private unbundle(delivered: Delivery[], unscored: Promise<void>[]): Delivery[] {
    const batch: Delivery[] = [];
    for (const delivery of delivered) {
      if (delivery.pattern !== Patterns.predictTaskBundle || delivery.parseError) {
        batch.push(delivery);
        continue;
      }
      const tasks = readTaskBundle(delivery.data);
      if (tasks instanceof Error) {
        unscored.push(this.deadLetter(delivery, 'invalid_message', tasks.message, attemptOf(delivery.message.properties.headers), undefined));
        continue;
      }
      const parts = tasks.map(bundlePartOf);
      const ackBundle = () => this.settler.ack(delivery.ctx);
      const routing: BundleRouting = { requeueTo: this.broker.topology.queues.work, rejectTo: this.broker.topology.deadLetterExchange };
      if (!delivery.message.fields.redelivered) {
        batch.push(...splitDelivery(delivery, parts, routing, ackBundle));
        continue;
      }
      this.log.warn('a bundle came back (its predictor stopped holding it): requeueing its tasks one message each', { tasks: parts.length });
      unscored.push(
        requeueParts(delivery, parts, routing, ackBundle).catch((error: unknown) => {
          this.log.warn('could not requeue the tasks of a redelivered bundle; it will be redelivered', { tasks: parts.length, error: errorText(error) });
        }),
      );
    }
    return batch;
  }

  /** Scores the attempts in model calls of at most BATCH_MAX_SIZE (a batch of bundles holds more tasks). */
  private async run(attempts: Attempt[]): Promise<void> {
    for (let start = 0; start < attempts.length; start += this.config.BATCH_MAX_SIZE) {
      await this.runChunk(attempts.slice(start, start + this.config.BATCH_MAX_SIZE));
    }
  }

  private async runChunk(attempts: Attempt[]): Promise<void> {
    if (attempts.length === 0) return;
    const scorable = attempts.filter((a) => !this.faultyMatchIds.has(a.request.match_id));
    await this.gate.stepAside(STEP_ASIDE_MAX_MS);
    const outcomes = await this.gate.paced(() => this.predictions.predictMany(scorable.map((a) => a.request)));
    const succeeded: { attempt: Attempt; result: Prediction }[] = [];
    const failed: { attempt: Attempt; error: unknown }[] = [];
    const outcomeOf = new Map(scorable.map((a, i) => [a, outcomes[i]]));
    for (const a of attempts) {
      const outcome = outcomeOf.get(a);
      if (outcome === undefined) failed.push({ attempt: a, error: new Error(`injected fault for match ${a.request.match_id}`) });
      else if (outcome instanceof Error) failed.push({ attempt: a, error: outcome });
      else succeeded.push({ attempt: a, result: outcome });
    }
    try {
      await this.publishOutcome(attempts, succeeded, failed);
    } catch (error) {
      // Nothing is recorded, so nothing is acked: the whole batch goes back to the queue and is scored again.
      this.log.warn('could not publish the outcome of a batch; requeueing it', { tasks: attempts.length, error: errorText(error) });
      for (const a of attempts) this.settler.requeueLater(a.delivery.ctx, REQUEUE_AFTER_PUBLISH_FAILURE_MS);
      return;
    }
    for (const { attempt: a } of succeeded) this.settler.ack(a.delivery.ctx);
    if (succeeded.length > 0) this.processed.inc({ outcome: 'success' }, succeeded.length);
    if (this.log.isEnabled('debug')) {
      for (const { attempt: a, result } of succeeded) {
        this.log.debug('task scored', { ...eventBase(a), batch_size: attempts.length, predicted_outcome: result.predicted_outcome, model_version: result.model_version });
      }
    }
    await Promise.all(failed.map(({ attempt: a, error }) => this.onAttemptFailed(a, error)));
  }

  /** One confirmed message for the whole batch: `task.batch.v2`, or v1 in the (guarded) case of mixed models. */
  private publishOutcome(attempts: Attempt[], succeeded: { attempt: Attempt; result: Prediction }[], failed: { attempt: Attempt }[]): Promise<void> {
    const at = now();
    const messageId = batchMessageId(attempts);
    const compact = taskBatchV2Of(
      at,
      succeeded.map(({ attempt: a, result }) => ({ attempt: eventBase(a), result })),
      failed.map(({ attempt: a }) => eventBase(a)),
    );
    if (compact) return this.events.publish(Patterns.taskBatchV2, compact, messageId);
    return this.events.publish(
      Patterns.taskBatch,
      {
        // Object.assign, not spreads: spreading costs ~3 µs a task here, assigning ~0.1.
        started: attempts.map((a): TaskStartedMessage => Object.assign(eventBase(a), { at })),
        succeeded: succeeded.map(({ attempt: a, result }): TaskSucceededMessage => Object.assign(eventBase(a), { result, at })),
      },
      messageId,
    );
  }

  private validate(delivery: Delivery): (PredictionRequestMessage & { task_id: string }) | Error {
    if (delivery.parseError) return new MessageValidationError([delivery.parseError]);
    if (delivery.pattern !== Patterns.predictTask) return new MessageValidationError([`unexpected pattern ${String(delivery.pattern)} on the work queue`]);
    try {
      const request = validatePredictionRequest(delivery.data);
      if (!request.task_id) throw new MessageValidationError(['task_id is required on an async task']);
      return request as PredictionRequestMessage & { task_id: string };
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  private async onAttemptFailed(failed: Attempt, error: unknown): Promise<void> {
    const { delivery, request, attempt, correlationId } = failed;
    const text = errorText(error);
    const taskId = request.task_id;
    try {
      // A request that can never succeed (unknown match, wrong features) is not worth retrying.
      if (error instanceof RpcFailure) return await this.deadLetter(delivery, 'permanent_error', text, attempt, correlationId);
      const retryQueue = this.broker.topology.retryQueueFor(attempt);
      if (!retryQueue) return await this.deadLetter(delivery, 'attempts_exhausted', text, attempt, correlationId);
      const delay = retryQueue.delayMs;
      this.log.warn('task attempt failed; retrying', { ...eventBase(failed), retry_in_ms: delay, error: text });
      await this.events.publish(
        Patterns.taskRetrying,
        { ...eventBase(failed), error: text.slice(0, 2000), retry_in_ms: delay, at: now() },
        `${taskId}:${attempt}:retry`,
      );
      await this.settler.retry(delivery.ctx, retryQueue.name, attempt + 1, text);
      this.processed.inc({ outcome: 'retry' });
    } catch (settleError) {
      // Broker away: leave the delivery unsettled; it comes back on a new channel and is tried again.
      this.log.warn('could not settle a failed attempt; it will be redelivered', { ...eventBase(failed), error: errorText(settleError) });
    }
  }

  private async deadLetter(delivery: Delivery, reason: DeadLetterReason, error: string, attempt: number, correlationId: string | undefined): Promise<void> {
    const fields = { task_id: taskIdOf(delivery), correlation_id: correlationId, attempt, reason, error };
    this.log.warn('dead-lettering a task message', fields);
    try {
      await this.settler.deadLetter(delivery.ctx, this.broker.topology.deadLetterExchange, reason, error, attempt);
    } catch (settleError) {
      this.log.warn('could not dead-letter a task message; it will be redelivered', { ...fields, settle_error: errorText(settleError) });
      return;
    }
    this.deadLettered.inc({ reason });
    this.processed.inc({ outcome: 'failure' });
  }
}

/** Stable for the same deliveries, so a republished batch can be told apart from a new one in the broker's logs. */
function batchMessageId(attempts: Attempt[]): string {
  const first = attempts[0]!;
  return `${first.request.task_id}:${first.attempt}:batch${attempts.length}`;
}

/** The fields every event and log line of an attempt carries (a fresh object: callers add to it). */
function eventBase(a: Attempt): { task_id: string; attempt: number; correlation_id?: string } {
  const base: { task_id: string; attempt: number; correlation_id?: string } = { task_id: a.request.task_id, attempt: a.attempt };
  if (a.correlationId) base.correlation_id = a.correlationId;
  return base;
}

/** The task id of a message that may not have passed validation (for log lines only). */
function taskIdOf(delivery: Delivery): string | undefined {
  const data = delivery.data;
  return typeof data === 'object' && data !== null && 'task_id' in data && typeof data.task_id === 'string' ? data.task_id.slice(0, 64) : undefined;
}

function now(): string {
  return new Date().toISOString();
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
