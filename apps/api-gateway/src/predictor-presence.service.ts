import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { MessageValidationError, Patterns, PredictorHeartbeatMessage, validateMessage } from '@app/contracts';
import { BROKER_OPTIONS, BrokerTopology, decodeEvent, FanoutSubscription, type BrokerOptions } from '@app/messaging';
import { InjectMetric, Metrics } from '@app/metrics';
import type { Gauge } from 'prom-client';
import { PresenceRegistry, type PredictorPresence } from './presence-registry.js';

/** How often expired predictors are dropped (and `predictors_up` follows) without anyone asking. */
const SWEEP_INTERVAL_MS = 500;

/**
 * The predictors that are up, from their heartbeats on the presence fanout, and the `predictors_up` gauge.
 * Each gateway replica listens on a private queue of its own, so every replica knows every predictor.
 */
@Injectable()
export class PredictorPresenceService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PredictorPresenceService.name);
  private readonly registry = new PresenceRegistry();
  private subscription: FanoutSubscription | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private lastProblem: string | undefined;

  constructor(
    @Inject(BROKER_OPTIONS) private readonly broker: BrokerOptions,
    private readonly topology: BrokerTopology,
    @InjectMetric(Metrics.predictorsUp.name) private readonly up: Gauge<string>,
  ) {}

  onApplicationBootstrap(): void {
    this.up.set(0);
    this.subscription = new FanoutSubscription(this.broker, this.topology.topology.presenceExchange, (content) => this.receive(content));
    this.sweeper = setInterval(() => this.publishCount(), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.sweeper);
    await this.subscription?.close();
  }

  /** Resolves once the subscription is consuming (tests; the app does not wait for it). */
  async ready(timeoutMs: number): Promise<void> {
    if (!this.subscription) throw new Error('presence subscription not started');
    await this.subscription.ready(timeoutMs);
  }

  predictors(): PredictorPresence[] {
    const list = this.registry.list(Date.now());
    this.up.set(list.length);
    return list;
  }

  /** One heartbeat off the wire: validated like every message, an invalid one logged and dropped. */
  receive(content: Buffer, now = Date.now()): void {
    const envelope = decodeEvent(content);
    if (envelope?.pattern !== Patterns.predictorHeartbeat) {
      this.reject(`not a ${Patterns.predictorHeartbeat} message`);
      return;
    }
    try {
      this.registry.record(validateMessage(PredictorHeartbeatMessage, envelope.data), now);
      this.lastProblem = undefined;
    } catch (error) {
      if (!(error instanceof MessageValidationError)) throw error;
      this.reject(error.message);
      return;
    }
    this.publishCount(now);
  }

  private publishCount(now = Date.now()): void {
    this.up.set(this.registry.count(now));
  }

  /** Logged once per distinct problem: a misconfigured sender repeats itself every interval. */
  private reject(problem: string): void {
    if (problem !== this.lastProblem) this.logger.warn(`ignoring a message on the presence exchange: ${problem}`);
    this.lastProblem = problem;
  }
}
