import { Controller, Get, Inject, NotFoundException, Param, Query, Res, ServiceUnavailableException } from '@nestjs/common';
import type { TaskView } from '@app/contracts';
import { BrokerUnavailableError } from '@app/messaging';
import { errorBody } from '@app/platform';
import type { FastifyReply } from 'fastify';
import { GATEWAY_CONFIG, GatewayConfig } from './gateway.config.js';
import { PredictorPresenceService } from './predictor-presence.service.js';
import type { PredictorPresence } from './presence-registry.js';
import { QueueStatsService, type QueueStatsSnapshot } from './queue-stats.service.js';
import { TaskSettlementService } from './task-settlement.service.js';
import { parseWaitMs } from './wait-ms.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Controller('monitoring')
export class MonitoringController {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly settlements: TaskSettlementService,
    private readonly queueStats: QueueStatsService,
    private readonly presence: PredictorPresenceService,
  ) {}

  /**
   * 404 for an unknown or expired task: never "pending" for something nobody is working on. With `?wait_ms=N`
   * a long-poll: answered as soon as the task is success or failure, else with its state after N ms.
   */
  @Get('task_status/:task_id')
  async taskStatus(
    @Param('task_id') taskId: string,
    @Query('wait_ms') rawWaitMs: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TaskView> {
    const notFound = () => new NotFoundException(errorBody(404, `unknown or expired task: ${taskId.slice(0, 64)}`));
    if (!UUID.test(taskId)) throw notFound();
    const waitMs = parseWaitMs(rawWaitMs, this.config.STATUS_WAIT_MAX_MS);
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

  /** Ready messages and consumers of every queue, read from the broker now; 503 when it does not answer. */
  @Get('queues')
  async queues(): Promise<QueueStatsSnapshot> {
    try {
      return await this.queueStats.read();
    } catch (error) {
      if (error instanceof BrokerUnavailableError) throw new ServiceUnavailableException(errorBody(503, 'message broker unavailable, try again'));
      throw error;
    }
  }

  /** Predictors whose heartbeat this gateway heard within three of their intervals. */
  @Get('predictors')
  predictors(): { predictors: PredictorPresence[]; count: number } {
    const predictors = this.presence.predictors();
    return { predictors, count: predictors.length };
  }
}
