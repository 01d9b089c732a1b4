import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { BROKER_OPTIONS, buildTopology, namedQueues, QueueInspector, type BrokerOptions, type QueueReading } from '@app/messaging';
import { InjectMetric, Metrics } from '@app/metrics';
import type { Gauge } from 'prom-client';
import { GATEWAY_CONFIG, type GatewayConfig } from './gateway.config.js';

/** Longest an on-request read waits for the broker before the caller gets 503. */
export const QUEUE_READ_TIMEOUT_MS = 2000;

export interface QueueStatsSnapshot {
  queues: QueueReading[];
  checked_at: string;
}

/**
 * Depth and consumers of every queue of the topology, retry queues included (named from the predictors'
 * retry policy), read every QUEUE_STATS_INTERVAL_MS into `broker_queue_messages` / `broker_queue_consumers`
 * and afresh for `GET /monitoring/queues`. Labels are logical names (no QUEUE_PREFIX). A missing queue has no
 * series; while the broker is away there are none at all, rather than stale numbers that look live.
 */
@Injectable()
export class QueueStatsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(QueueStatsService.name);
  private readonly inspector: QueueInspector;
  private timer: NodeJS.Timeout | undefined;
  private failing: string | undefined;
  private readonly missing = new Set<string>();

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(BROKER_OPTIONS) broker: BrokerOptions,
    @InjectMetric(Metrics.brokerQueueMessages.name) private readonly messages: Gauge<string>,
    @InjectMetric(Metrics.brokerQueueConsumers.name) private readonly consumers: Gauge<string>,
  ) {
    const topology = buildTopology({ prefix: config.QUEUE_PREFIX, retryDelaysMs: config.retryDelaysMs() });
    this.inspector = new QueueInspector(broker, namedQueues(topology));
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.refresh(), this.config.QUEUE_STATS_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.inspector.close();
  }

  /** Reads every queue now (the gauges follow); rejects with BrokerUnavailableError when the broker is away. */
  async read(timeoutMs = QUEUE_READ_TIMEOUT_MS): Promise<QueueStatsSnapshot> {
    try {
      const queues = await this.inspector.read(timeoutMs);
      this.record(queues);
      return { queues, checked_at: new Date().toISOString() };
    } catch (error) {
      this.clear(error);
      throw error;
    }
  }

  /** The periodic read: never throws, logs an outage once. */
  async refresh(): Promise<void> {
    await this.read(Math.min(this.config.QUEUE_STATS_INTERVAL_MS, QUEUE_READ_TIMEOUT_MS)).catch(() => undefined);
  }

  private record(queues: QueueReading[]): void {
    if (this.failing !== undefined) this.logger.log('queue stats readable again');
    this.failing = undefined;
    for (const q of queues) {
      if (q.exists) {
        this.messages.set({ queue: q.queue }, q.messages ?? 0);
        this.consumers.set({ queue: q.queue }, q.consumers ?? 0);
        this.missing.delete(q.name);
        continue;
      }
      this.messages.remove({ queue: q.queue });
      this.consumers.remove({ queue: q.queue });
      if (!this.missing.has(q.name)) this.logger.warn(`queue ${q.name} does not exist (yet): not reported until it does`);
      this.missing.add(q.name);
    }
  }

  private clear(error: unknown): void {
    this.messages.reset();
    this.consumers.reset();
    const text = error instanceof Error ? error.message : String(error);
    if (this.failing === undefined) this.logger.warn(`cannot read queue stats: ${text}`);
    this.failing = text;
  }
}
