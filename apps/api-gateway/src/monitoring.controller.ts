import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { BrokerUnavailableError } from '@app/messaging';
import { errorBody } from '@app/platform';
import { PredictorPresenceService } from './predictor-presence.service.js';
import type { PredictorPresence } from './presence-registry.js';
import { QueueStatsService, type QueueStatsSnapshot } from './queue-stats.service.js';

/** Broker and predictor views; task status is `PredictionRoutes` (ADR 0013). */
@Controller('monitoring')
export class MonitoringController {
  constructor(
    private readonly queueStats: QueueStatsService,
    private readonly presence: PredictorPresenceService,
  ) {}

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
