import type { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import type { ConfirmChannel, Options } from 'amqplib';
import { connectBroker } from './broker-connection.js';
import { assertTopology, type Topology } from './topology.js';
import type { BrokerOptions } from './rmq-transport.factory.js';

/**
 * One management connection per app: declares the topology on every (re)connect, reports whether the
 * broker is reachable, and publishes to queues Nest's clients do not cover (retry, dead-letter, replay).
 */
export class BrokerTopology {
  private readonly connection: AmqpConnectionManager;
  private readonly channel: ChannelWrapper;

  constructor(
    broker: BrokerOptions,
    readonly topology: Topology,
  ) {
    this.connection = connectBroker(broker);
    this.channel = this.connection.createChannel({
      json: false,
      confirm: true,
      setup: (channel: ConfirmChannel) => assertTopology(channel, topology),
    });
    this.channel.on('error', () => undefined);
  }

  /** Resolves once connected and the topology is declared; rejects after `timeoutMs`. */
  async ready(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`RabbitMQ not reachable within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.channel.waitForConnect(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  isConnected(): boolean {
    return this.connection.isConnected();
  }

  /** Persistent, confirmed publish straight to a queue (default exchange). */
  async sendToQueue(queue: string, content: Buffer, options: Options.Publish): Promise<void> {
    await this.channel.sendToQueue(queue, content, { persistent: true, ...options });
  }

  async publish(exchange: string, routingKey: string, content: Buffer, options: Options.Publish): Promise<void> {
    await this.channel.publish(exchange, routingKey, content, { persistent: true, ...options });
  }

  /** Messages waiting and consumers attached, or null when the queue does not exist or the broker is away. */
  async inspectQueue(queue: string): Promise<{ messages: number; consumers: number } | null> {
    try {
      const info = await this.channel.checkQueue(queue);
      return { messages: info.messageCount, consumers: info.consumerCount };
    } catch {
      return null;
    }
  }

  async close(): Promise<void> {
    await this.channel.close();
    await this.connection.close();
  }
}
