import type { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import type { Channel, ConsumeMessage } from 'amqplib';
import { connectBroker } from './broker-connection.js';
import type { BrokerOptions } from './rmq-transport.factory.js';

export interface QueueConsumptionOptions {
  queue: string;
  /** Unacked deliveries at most. */
  prefetch: number;
  /** A confirm channel (the consumer also publishes on it and needs the broker's confirms). */
  confirm: boolean;
}

/**
 * Called with each new channel (every reconnect): whatever per-channel state the consumer keeps is reset here,
 * and the returned function takes that channel's deliveries.
 */
export type OnChannel<C extends Channel> = (channel: C) => (message: ConsumeMessage) => void;

/**
 * The life of one manual-ack consumer outside Nest's server, shared by our consumers (`BatchQueueConsumer`,
 * `RpcQueueConsumer`): its own connection (`connectBroker`: Nagle off, coalesced writes), one channel whose
 * setup sets the prefetch and consumes again on every reconnect (what the old channel had not acked, the broker
 * redelivers), readiness, and a graceful stop that cancels the consumer, lets the consumer hand over what it
 * holds, waits for the work it `track`ed, then closes.
 */
export class QueueConsumption<C extends Channel = Channel> {
  private readonly connection: AmqpConnectionManager;
  private readonly channel: ChannelWrapper;
  private readonly inFlight = new Set<Promise<unknown>>();
  private consumerTag: string | undefined;
  private stopped = false;

  constructor(
    broker: BrokerOptions,
    private readonly options: QueueConsumptionOptions,
    private readonly onChannel: OnChannel<C>,
  ) {
    this.connection = connectBroker(broker);
    this.channel = this.connection.createChannel({ json: false, confirm: options.confirm, setup: this.setup });
    this.channel.on('error', () => undefined);
  }

  // amqp-connection-manager types setup with the plain Channel; with `confirm` it passes a ConfirmChannel.
  private readonly setup = async (raw: Channel): Promise<void> => {
    const channel = raw as C;
    this.consumerTag = undefined;
    if (this.stopped) return;
    await channel.prefetch(this.options.prefetch);
    const take = this.onChannel(channel);
    const { consumerTag } = await channel.consume(
      this.options.queue,
      (message) => {
        // null: the broker cancelled the consumer (queue deleted); not consuming until setup runs again on reconnect.
        if (message === null) this.consumerTag = undefined;
        else take(message);
      },
      { noAck: false },
    );
    this.consumerTag = consumerTag;
  };

  /** Resolves once the first channel is consuming. */
  async ready(): Promise<void> {
    await this.channel.waitForConnect();
  }

  /** Taking deliveries right now (for readiness): connected, a consumer attached, not stopping. */
  isConsuming(): boolean {
    return !this.stopped && this.consumerTag !== undefined && this.connection.isConnected();
  }

  /** Work a graceful stop must wait for (it settles deliveries). */
  track(work: Promise<unknown>): void {
    const tracked = work.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  /**
   * Stops taking deliveries, runs `handOver` (work the consumer still holds, e.g. a batch being formed), waits
   * for everything tracked, then closes. What is left unsettled (a crash) the broker redelivers.
   */
  async stop(handOver: () => void = () => undefined): Promise<void> {
    this.stopped = true;
    await this.channel
      .removeSetup(this.setup, async (channel: Channel) => {
        if (this.consumerTag) await channel.cancel(this.consumerTag);
      })
      .catch(() => undefined);
    this.consumerTag = undefined;
    handOver();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await this.channel.close().catch(() => undefined);
    await this.connection.close().catch(() => undefined);
  }
}
