import { HttpException, Inject, Injectable } from '@nestjs/common';
import { Patterns, type Prediction, type PredictRequestDto, type TaskView } from '@app/contracts';
import { correlationHeaders, RpcClient, RpcTimeoutError } from '@app/messaging';
import { InjectMetric, Metrics } from '@app/metrics';
import { AppLogger, errorBody } from '@app/platform';
import type { Counter } from 'prom-client';
import { GATEWAY_CONFIG, GatewayConfig } from './gateway.config.js';
import { PREDICTOR_RPC, RESULTS_RPC } from './gateway.transports.js';
import { idempotencyKeyOf } from './idempotency-key.js';
import { ModelSignatureService } from './model-signature.service.js';
import { rpcErrorToHttp } from './rpc-error-to-http.js';
import { TaskStoreClient } from './task-store.client.js';
import { TaskPublisher } from './task-publisher.js';
import { TaskViewCache } from './task-view-cache.js';

export interface TaskSubmission {
  task_id: string;
  status: 'submitted';
  status_url: string;
}

/** The gateway's use cases: sync prediction, async submission, task status. */
@Injectable()
export class InferenceService {
  private readonly log = AppLogger.for(InferenceService.name);

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(PREDICTOR_RPC) private readonly predictor: RpcClient,
    @Inject(RESULTS_RPC) private readonly results: RpcClient,
    private readonly taskStore: TaskStoreClient,
    private readonly signature: ModelSignatureService,
    private readonly views: TaskViewCache,
    private readonly taskPublisher: TaskPublisher,
    @InjectMetric(Metrics.predictionRequests.name) private readonly requests: Counter<string>,
    @InjectMetric(Metrics.predictionTimeouts.name) private readonly timeouts: Counter<string>,
  ) {
    // Both series exist from boot, so a dashboard shows 0 rather than "no data".
    for (const source of ['sync', 'async']) this.requests.inc({ source }, 0);
  }

  /** Scored by a predictor within the deadline, or 504; the request expires on the broker at the deadline. */
  async predictNow(request: PredictRequestDto, correlationId?: string): Promise<Prediction> {
    this.signature.check(request.features);
    this.requests.inc({ source: 'sync' });
    const timeoutMs = this.config.SYNC_TIMEOUT_MS;
    try {
      return await this.predictor.call(
        Patterns.predict,
        { match_id: request.match_id, features: request.features, deadline_at: Date.now() + timeoutMs },
        { timeoutMs, headers: correlationHeaders(correlationId) },
      );
    } catch (error) {
      if (error instanceof RpcTimeoutError) {
        this.timeouts.inc();
        this.log.warn('sync prediction timed out', { match_id: request.match_id, timeout_ms: timeoutMs, correlation_id: correlationId });
      }
      throw rpcErrorToHttp(error);
    }
  }

  /**
   * Reserves the task in `results` (which answers with the live task for a repeated submission), then
   * publishes the persistent task message (in a bundle with the tasks accepted alongside, ADR 0012), waits for
   * the broker's confirm, answers, and notes in `results`
   * (in the background) that it is queued. A reservation not known to be queued (its submitter crashed
   * between reserving and publishing, or before the note landed) is published again by whoever gets it: at
   * worst one duplicate message, which the monotonic task state absorbs; never a 202 for a task that will
   * not run. A task it created is followed in the view cache from before its publish, so that not even a notice
   * that beats the broker's confirm here is missed.
   */
  async submit(request: PredictRequestDto, idempotencyHeader: string | undefined, correlationId?: string): Promise<TaskSubmission> {
    this.signature.check(request.features);
    this.requests.inc({ source: 'async' });
    const idempotencyKey = idempotencyKeyOf(request, idempotencyHeader);
    // `results` keeps only the match id of a task; the features travel once, in the task message.
    const reservation = await this.callResults(() => this.taskStore.create({ idempotency_key: idempotencyKey, request: { match_id: request.match_id } }));
    if (reservation.created || !reservation.queued) {
      if (reservation.created && reservation.submitted_at !== undefined) {
        const at = reservation.submitted_at;
        this.views.track({ task_id: reservation.task_id, status: 'pending', match_id: request.match_id, attempts: 0, submitted_at: at, updated_at: at });
      }
      try {
        await this.taskPublisher.enqueue({ task_id: reservation.task_id, match_id: request.match_id, features: request.features, correlation_id: correlationId });
      } catch (error) {
        this.views.forget(reservation.task_id);
        if (reservation.created) await this.abandon(reservation.task_id, idempotencyKey, error, correlationId);
        throw rpcErrorToHttp(error);
      }
      // Not awaited: the task is safe on the broker already, and the note only spares an identical submission a
      // second publish. Its round trip stays off the caller's latency.
      void this.noteQueued(reservation.task_id, correlationId);
    }
    if (this.log.isEnabled('debug')) {
      this.log.debug(reservation.created ? 'task accepted' : 'task already known', {
        task_id: reservation.task_id,
        correlation_id: correlationId,
        match_id: request.match_id,
        status: reservation.status,
      });
    }
    return { task_id: reservation.task_id, status: 'submitted', status_url: `/monitoring/task_status/${reservation.task_id}` };
  }

  /** The task as `results` knows it, or null when unknown or expired. */
  status(taskId: string): Promise<TaskView | null> {
    return this.callResults(() => this.taskStore.status(taskId));
  }

  private async callResults<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      // `results` not answering is an outage of the task store, not a slow prediction.
      throw error instanceof RpcTimeoutError
        ? new HttpException(errorBody(503, 'task store unavailable, try again'), 503)
        : rpcErrorToHttp(error);
    }
  }

  /**
   * The task is already safe on the broker, so a failed note does not fail the submission: the next identical
   * submission publishes once more (absorbed by the monotonic state), and the predictor's first event marks
   * the task queued anyway.
   */
  private async noteQueued(taskId: string, correlationId: string | undefined): Promise<void> {
    try {
      await this.taskStore.markQueued(taskId);
    } catch (error) {
      this.log.warn('could not note the task as queued', { task_id: taskId, correlation_id: correlationId, error: errorText(error) });
    }
  }

  /** Best effort: a task whose message never reached the broker must not stay `pending`. */
  private async abandon(taskId: string, idempotencyKey: string, cause: unknown, correlationId: string | undefined): Promise<void> {
    const reason = errorText(cause);
    try {
      await this.results.call(
        Patterns.taskAbandon,
        { task_id: taskId, idempotency_key: idempotencyKey, reason: reason.slice(0, 500) },
        { timeoutMs: this.config.RESULTS_RPC_TIMEOUT_MS, headers: correlationHeaders(correlationId) },
      );
      this.log.warn('task abandoned: its message could not be queued', { task_id: taskId, correlation_id: correlationId, error: reason });
    } catch (error) {
      this.log.error('could not abandon an unqueued task', { task_id: taskId, correlation_id: correlationId, error: errorText(error) });
    }
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
