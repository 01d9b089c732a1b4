import { QueueConsumption } from './queue-consumption.js';
import { RpcDispatcher, type RpcHandlers, type RpcLog } from './rpc-dispatcher.js';
import type { BrokerOptions } from './rmq-transport.factory.js';

export type { RpcCall, RpcHandlers, RpcLog } from './rpc-dispatcher.js';

export interface RpcQueueConsumerOptions {
  queue: string;
  /** Requests in flight at most (unacked deliveries). */
  prefetch: number;
  /** Told when each request starts being served and when its reply is out (the predictor's interactive priority). */
  inFlight?: RequestsInFlight;
}

/** Sees every request from its delivery to its reply: `enter` and `leave` come in pairs. */
export interface RequestsInFlight {
  enter(): void;
  leave(): void;
}

/**
 * Request/reply on one queue, answering Nest's ClientRMQ callers (`RpcClient`) without Nest's RMQ server:
 * its per-message pipeline (context, router, interceptors, filter, RxJS, serializer) cost about as much
 * predictor CPU as scoring the request itself (ADR 0009). Manual ack, every delivery acked once answered
 * (`RpcDispatcher`); replies and acks go out on the delivering channel, no publisher confirms. The connection
 * has the suite's socket options and coalesced writes (a reply and its ack leave in one write).
 */
export class RpcQueueConsumer {
  private readonly dispatcher: RpcDispatcher;
  private readonly consumption: QueueConsumption;

  constructor(broker: BrokerOptions, options: RpcQueueConsumerOptions, handlers: RpcHandlers, log?: RpcLog) {
    this.dispatcher = new RpcDispatcher(handlers, log);
    const { inFlight, ...queue } = options;
    this.consumption = new QueueConsumption(broker, { ...queue, confirm: false }, (channel) => (message) => {
      if (!inFlight) return this.consumption.track(this.dispatcher.serve(channel, message));
      inFlight.enter();
      this.consumption.track(this.dispatcher.serve(channel, message).finally(() => inFlight.leave()));
    });
  }

  /** Resolves once the first channel is consuming. */
  ready(): Promise<void> {
    return this.consumption.ready();
  }

  /** Taking requests right now (for readiness): connected, a consumer attached, not stopping. */
  isConsuming(): boolean {
    return this.consumption.isConsuming();
  }

  /** Stops taking requests, answers the ones in flight, then closes. */
  stop(): Promise<void> {
    return this.consumption.stop();
  }
}
