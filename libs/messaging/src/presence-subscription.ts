import type { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import type { Channel } from 'amqplib';
import { connectBroker } from './broker-connection.js';
import type { BrokerOptions } from './rmq-transport.factory.js';
import { PRESENCE_EXCHANGE_OPTIONS, PRESENCE_QUEUE_OPTIONS, type Topology } from './topology.js';

/**
 * A private subscription to the predictors' heartbeat fanout, on a connection of its own: an exclusive,
 * server-named queue bound to the exchange, declared again on every reconnect (the old queue died with the
 * old connection). Not a Nest microservice server: it is nobody's work queue, and every subscriber must see
 * every heartbeat rather than compete for them.
 *
 * Consumed with noAck: a heartbeat is idempotent and superseded by the next one within an interval, so there
 * is nothing to redeliver, and auto-ack leaves no unacked backlog should the handler be slow or throw.
 */
export class PresenceSubscription {
  private readonly connection: AmqpConnectionManager;
  private readonly channel: ChannelWrapper;

  constructor(broker: BrokerOptions, topology: Pick<Topology, 'presenceExchange'>, onMessage: (content: Buffer) => void) {
    const exchange = topology.presenceExchange;
    this.connection = connectBroker(broker);
    this.channel = this.connection.createChannel({
      json: false,
      confirm: false,
      setup: async (channel: Channel) => {
        await channel.assertExchange(exchange, 'fanout', PRESENCE_EXCHANGE_OPTIONS);
        const { queue } = await channel.assertQueue('', PRESENCE_QUEUE_OPTIONS);
        await channel.bindQueue(queue, exchange, '');
        await channel.consume(
          queue,
          (message) => {
            if (!message) return;
            try {
              onMessage(message.content);
            } catch {
              // The handler owns its errors; one bad heartbeat must not close the channel.
            }
          },
          { noAck: true },
        );
      },
    });
    this.channel.on('error', () => undefined);
  }

  isConnected(): boolean {
    return this.connection.isConnected();
  }

  /** Resolves once the queue is bound and consuming; rejects after `timeoutMs`. */
  async ready(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`presence subscription not ready within ${timeoutMs} ms`)), timeoutMs);
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
