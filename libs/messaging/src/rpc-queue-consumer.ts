import type { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import type { Channel, ConsumeMessage } from 'amqplib';
import { connectBroker } from './broker-connection.js';
import { RpcDispatcher, type RpcHandlers, type RpcLog } from './rpc-dispatcher.js';
import type { BrokerOptions } from './rmq-transport.factory.js';

export type { RpcCall, RpcHandlers, RpcLog } from './rpc-dispatcher.js';

export interface RpcQueueConsumerOptions {
  queue: string;
  /** Requests in flight at most (unacked deliveries). */
  prefetch: number;
}

/**
 * Request/reply on one queue, answering Nest's ClientRMQ callers (`RpcClient`) without Nest's RMQ server:
 * its per-message pipeline (context, router, interceptors, filter, RxJS, serializer) cost about as much
 * predictor CPU as scoring the request itself (ADR 0009). Manual ack, every delivery acked once answered
 * (`RpcDispatcher`); replies and acks go out on the delivering channel, no publisher confirms. The connection
 * has the suite's socket options and coalesced writes (a reply and its ack leave in one write).
 */
export class RpcQueueConsumer {
  private readonly connection: AmqpConnectionManager;
  private readonly channel: ChannelWrapper;
  private readonly dispatcher: RpcDispatcher;
  private readonly inFlight = new Set<Promise<void>>();
  private consumerTag: string | undefined;
  private stopped = false;

  constructor(
    broker: BrokerOptions,
    private readonly options: RpcQueueConsumerOptions,
    handlers: RpcHandlers,
    log?: RpcLog,
  ) {
    this.dispatcher = new RpcDispatcher(handlers, log);
    this.connection = connectBroker(broker);
    this.channel = this.connection.createChannel({ json: false, confirm: false, setup: this.setup });
    this.channel.on('error', () => undefined);
  }

  /** Runs on every (re)connect: what the old channel had not acked, the broker redelivers here. */
  private readonly setup = async (channel: Channel): Promise<void> => {
    this.consumerTag = undefined;
    if (this.stopped) return;
    await channel.prefetch(this.options.prefetch);
    const { consumerTag } = await channel.consume(this.options.queue, (message) => this.onDelivery(channel, message), { noAck: false });
    this.consumerTag = consumerTag;
  };

  /** Resolves once the first channel is consuming. */
  async ready(): Promise<void> {
    await this.channel.waitForConnect();
  }

  /** Taking requests right now (for readiness): connected, a consumer attached, not stopping. */
  isConsuming(): boolean {
    return !this.stopped && this.consumerTag !== undefined && this.connection.isConnected();
  }

  /** Stops taking requests, answers the ones in flight, then closes. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.channel
      .removeSetup(this.setup, async (channel: Channel) => {
        if (this.consumerTag) await channel.cancel(this.consumerTag);
      })
      .catch(() => undefined);
    this.consumerTag = undefined;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await this.channel.close().catch(() => undefined);
    await this.connection.close().catch(() => undefined);
  }

  private onDelivery(channel: Channel, message: ConsumeMessage | null): void {
    if (message === null) {
      // The broker cancelled the consumer (queue deleted): not consuming until setup runs again on reconnect.
      this.consumerTag = undefined;
      return;
    }
    const serving = this.dispatcher.serve(channel, message).finally(() => this.inFlight.delete(serving));
    this.inFlight.add(serving);
  }
}
