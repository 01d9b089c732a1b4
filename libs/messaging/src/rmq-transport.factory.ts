import type { ClientRMQ, RmqOptions, ServerRMQ } from '@nestjs/microservices';
import { SafeServerRMQ } from './safe-server-rmq.js';
import { WriteCoalescingClientRMQ } from './write-coalescing-client-rmq.js';

export interface BrokerOptions {
  url: string;
  /** Seconds between reconnect attempts after the broker goes away. */
  reconnectSeconds?: number;
  heartbeatSeconds?: number;
}

/**
 * Socket options for every AMQP connection. `noDelay` turns Nagle off: with it on, one RPC round trip costs
 * tens of milliseconds instead of a fraction of one (see MEASURED-LIMITS.md).
 */
export function socketOptions(broker: BrokerOptions): NonNullable<RmqOptions['options']>['socketOptions'] {
  return {
    connectionOptions: { noDelay: true },
    heartbeatIntervalInSeconds: broker.heartbeatSeconds ?? 5,
    reconnectTimeInSeconds: broker.reconnectSeconds ?? 1,
  };
}

export interface ConsumerOptions {
  queue: string;
  prefetch: number;
  /** Scopes handlers to this queue: `@EventPattern(p, transportId)`. */
  transportId: symbol;
}

/**
 * A consumer on one queue. Manual ack (`noAck: false`, Nest's default is auto-ack), explicit prefetch, and
 * `noAssert` because the topology is declared once by `BrokerTopology`, not piecemeal by each server.
 */
export function createRmqServer(broker: BrokerOptions, consumer: ConsumerOptions): ServerRMQ {
  const server = new SafeServerRMQ({
    urls: [broker.url],
    queue: consumer.queue,
    noAck: false,
    noAssert: true,
    prefetchCount: consumer.prefetch,
    socketOptions: socketOptions(broker),
  });
  server.setTransportId(consumer.transportId);
  return server;
}

/** A producer bound to one queue (Nest's client sends straight to its queue). */
export function createRmqClient(broker: BrokerOptions, queue: string, persistent: boolean): ClientRMQ {
  return new WriteCoalescingClientRMQ({
    urls: [broker.url],
    queue,
    noAssert: true,
    persistent,
    socketOptions: socketOptions(broker),
  });
}
