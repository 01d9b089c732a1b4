import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { Patterns, type EventMap, type PredictorStatus } from '@app/contracts';
import { BrokerTopology, encodeEvent } from '@app/messaging';
import { ModelAdapter } from './model.adapter.js';
import { PREDICTOR_CONFIG, PredictorConfig } from './predictor.config.js';

/** How long the goodbye heartbeat may hold up a graceful shutdown. */
const LEAVING_TIMEOUT_MS = 1000;

/**
 * Announces this process on the presence fanout every PRESENCE_INTERVAL_MS once the model is loaded (module
 * init loads it before any bootstrap hook runs), and says `leaving` on a graceful shutdown, before the broker
 * connection closes. Heartbeats are transient and expire after one interval: a late one is worth nothing.
 * None is sent while the broker is away (the next tick tries again) and never two at once.
 */
@Injectable()
export class PresencePublisher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(PresencePublisher.name);
  private readonly instanceId = randomUUID();
  private readonly startedAt = new Date().toISOString();
  private timer: NodeJS.Timeout | undefined;
  private sending = false;
  private leaving = false;
  private lastError: string | undefined;

  constructor(
    @Inject(PREDICTOR_CONFIG) private readonly config: PredictorConfig,
    private readonly broker: BrokerTopology,
    private readonly model: ModelAdapter,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.beat('ready'), this.config.PRESENCE_INTERVAL_MS);
    this.timer.unref();
    void this.beat('ready');
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.leaving = true;
    await this.beat('leaving');
  }

  private async beat(status: PredictorStatus): Promise<void> {
    if ((status === 'ready' && (this.leaving || this.sending)) || !this.model.isLoaded() || !this.broker.isConnected()) return;
    this.sending = true;
    const interval = this.config.PRESENCE_INTERVAL_MS;
    try {
      const published = this.broker.publish(this.broker.topology.presenceExchange, '', encodeEvent(Patterns.predictorHeartbeat, this.heartbeat(status)), {
        persistent: false,
        expiration: String(interval),
        contentType: 'application/json',
      });
      await withTimeout(published, status === 'leaving' ? LEAVING_TIMEOUT_MS : interval);
      if (this.lastError !== undefined) this.logger.log('heartbeats published again');
      this.lastError = undefined;
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      if (text !== this.lastError) this.logger.warn(`could not publish a heartbeat: ${text}`);
      this.lastError = text;
    } finally {
      this.sending = false;
    }
  }

  private heartbeat(status: PredictorStatus): EventMap[typeof Patterns.predictorHeartbeat] {
    const { metadata, alias, backend } = this.model.loaded;
    return {
      instance_id: this.instanceId,
      hostname: hostname(),
      pid: process.pid,
      model_name: metadata.name,
      model_version: metadata.version,
      model_run_id: metadata.run_id,
      alias,
      backend,
      status,
      interval_ms: this.config.PRESENCE_INTERVAL_MS,
      started_at: this.startedAt,
      sent_at: new Date().toISOString(),
    };
  }
}

async function withTimeout(promise: Promise<void>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no broker confirm within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
