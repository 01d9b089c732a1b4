import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { Prediction, TaskView } from '@app/contracts';
import { errorBody, sendHttpError } from '@app/platform';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestCorrelationId } from './correlation-id.hook.js';
import { GATEWAY_CONFIG, GatewayConfig } from './gateway.config.js';
import { InferenceService, type TaskSubmission } from './inference.service.js';
import { validPredictBody } from './predict-body.js';
import { TaskSettlementService } from './task-settlement.service.js';
import { parseWaitMs } from './wait-ms.js';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface TaskStatusRoute {
  Params: { task_id: string };
  Querystring: { wait_ms?: unknown };
}
type TaskStatusRequest = FastifyRequest<TaskStatusRoute>;

/**
 * The three routes every prediction goes through (`POST /predict/`, `POST /predict/async/`,
 * `GET /monitoring/task_status/{task_id}`), served as plain Fastify routes rather than Nest controller methods
 * (ADR 0013): Nest's per-request router, pipes, RxJS and exception zone cost more CPU than the rest of a status
 * read. Everything a client sees is as before: the Fastify hooks (correlation id, access control, access log,
 * HTTP metrics) run for these routes as for the others, bodies are validated by `validPredictBody`, and
 * every error leaves through `sendHttpError`, the one error shape.
 */
@Injectable()
export class PredictionRoutes {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly inference: InferenceService,
    private readonly settlements: TaskSettlementService,
  ) {}

  /** Registers the routes; call before the app listens, after the hooks they must run under. */
  install(fastify: FastifyInstance): void {
    // Route-level, so errors of body parsing (bad JSON, 413, 415) take the same shape as the handlers' own.
    const errorHandler = (error: unknown, _request: FastifyRequest, reply: FastifyReply): void => {
      void sendHttpError(reply, error);
    };
    fastify.post('/predict', { errorHandler }, (request) => this.predict(request));
    fastify.post('/predict/async', { errorHandler }, (request, reply) => this.submit(request, reply));
    fastify.get<TaskStatusRoute>('/monitoring/task_status/:task_id', { errorHandler }, (request, reply) => this.taskStatus(request, reply));
  }

  /** Sync: waits for a predictor, at most SYNC_TIMEOUT_MS, then 504. */
  private predict(request: FastifyRequest): Promise<Prediction> {
    return this.inference.predictNow(validPredictBody(request.body), requestCorrelationId(request));
  }

  /** Async: 202 with a task id once the task message is safely on the broker. */
  private async submit(request: FastifyRequest, reply: FastifyReply): Promise<TaskSubmission> {
    const body = validPredictBody(request.body);
    const header = request.headers['idempotency-key'];
    const idempotencyKey = typeof header === 'string' ? header : undefined;
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new BadRequestException(errorBody(400, 'Idempotency-Key must be 1-200 printable ASCII characters'));
    }
    const submission = await this.inference.submit(body, idempotencyKey, requestCorrelationId(request));
    void reply.code(202);
    return submission;
  }

  /**
   * 404 for an unknown or expired task: never "pending" for something nobody is working on. With `?wait_ms=N`
   * a long-poll: answered as soon as the task is success or failure, else with its state after N ms.
   */
  private async taskStatus(request: TaskStatusRequest, reply: FastifyReply): Promise<TaskView> {
    const taskId = request.params.task_id;
    const notFound = () => new NotFoundException(errorBody(404, `unknown or expired task: ${taskId.slice(0, 64)}`));
    if (!UUID.test(taskId)) throw notFound();
    const waitMs = parseWaitMs(request.query.wait_ms, this.config.STATUS_WAIT_MAX_MS);
    const id = taskId.toLowerCase();
    const task = waitMs === 0 ? await this.settlements.statusWithin(id, 0) : await this.heldUntilSettled(id, waitMs, reply);
    if (!task) throw notFound();
    return task;
  }

  /** A long-poll, let go early if its client goes away. */
  private async heldUntilSettled(taskId: string, waitMs: number, reply: FastifyReply): Promise<TaskView | null> {
    const clientGone = new AbortController();
    const onClose = () => clientGone.abort();
    reply.raw.once('close', onClose);
    try {
      return await this.settlements.statusWithin(taskId, waitMs, clientGone.signal);
    } finally {
      // 'close' also fires after a normal answer: aborting then would only build an AbortError nobody reads.
      reply.raw.off('close', onClose);
    }
  }
}
