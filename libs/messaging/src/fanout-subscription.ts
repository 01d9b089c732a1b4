import type { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import type { Channel } from 'amqplib';
import { connectBroker } from './broker-connection.js';
import type { BrokerOptions } from './rmq-transport.factory.js';
import { FANOUT_EXCHANGE_OPTIONS, FANOUT_SUBSCRIBER_QUEUE_OPTIONS } from './topology.js';

/**
 * A private subscription to a notice fanout (predictor heartbeats, settled tasks), on a connection of its own:
 * an exclusive, server-named queue bound to the exchange, declared again on every reconnect (the old queue died
 * with the old connection). Not a Nest microservice server: it is nobody's work queue, and every subscriber
 * must see every notice rather than compete for them.
 *
 * Consumed with noAck: a notice is a hint that the next one or a recheck supersedes, so there is nothing to
 * redeliver, and auto-ack leaves no unacked backlog should the handler be slow or throw.
 *
 * Notices published while no queue is bound are lost. A reader that keeps state from notices learns of every
 * such gap: `onLost` when the channel closes, `onSubscribed` once a new queue consumes again.
 */
export class FanoutSubscription {
  private readonly connection: AmqpConnectionManager;
  private readonly channel: ChannelWrapper;
  private consuming = false;

  constructor(
    broker: BrokerOptions,
    exchange: string,
    onMessage: (content: Buffer) => void,
    gaps: { onSubscribed?: () => void; onLost?: () => void } = {},
  ) {
    this.connection = connectBroker(broker);
    this.channel = this.connection.createChannel({
      json: false,
      confirm: false,
      setup: async (channel: Channel) => {
        channel.once('close', () => {
          this.consuming = false;
          gaps.onLost?.();
        });
        await channel.assertExchange(exchange, 'fanout', FANOUT_EXCHANGE_OPTIONS);
        const { queue } = await channel.assertQueue('', FANOUT_SUBSCRIBER_QUEUE_OPTIONS);
        await channel.bindQueue(queue, exchange, '');
        await channel.consume(
          queue,
          (message) => {
            if (!message) return;
            try {
              onMessage(message.content);
            } catch {
              // The handler owns its errors; one bad notice must not close the channel.
            }
          },
          { noAck: true },
        );
        this.consuming = true;
        gaps.onSubscribed?.();
      },
    });
    this.channel.on('error', () => undefined);
  }

  isConnected(): boolean {
    return this.connection.isConnected();
  }

  /** Bound and consuming now: no notice published since `onSubscribed` has been missed. */
  isConsuming(): boolean {
    return this.consuming && this.connection.isConnected();
  }

  /** Resolves once the queue is bound and consuming; rejects after `timeoutMs`. */
  async ready(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`fanout subscription not ready within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.channel.waitForConnect(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.channel.close().catch(() => undefined);
    await this.connection.close();
  }
}
