import type { AmqpConnectionManager } from 'amqp-connection-manager';
import type { Channel, ChannelModel } from 'amqplib';
import { connectBroker } from './broker-connection.js';
import { BrokerUnavailableError } from './broker-unavailable.error.js';
import type { BrokerOptions } from './rmq-transport.factory.js';
import type { NamedQueue } from './topology.js';

/** One queue's counts as a passive declare reports them. */
export interface QueueReading extends NamedQueue {
  /** Messages ready for delivery (AMQP does not report unacknowledged ones here); null when the queue is missing. */
  messages: number | null;
  /** Consumers attached; null when the queue is missing. */
  consumers: number | null;
  /** false when the queue does not exist on the broker. */
  exists: boolean;
}

/**
 * Reads queue depths and consumer counts with passive declares (`checkQueue`) over a connection of its own,
 * so a missing queue, which the broker answers by closing the channel (404), never disturbs a channel that
 * publishes. Reads are serialized: concurrent callers share the read in progress, since a 404 in one read
 * would close the channel under another.
 */
export class QueueInspector {
  private readonly connection: AmqpConnectionManager;
  private channel: { model: ChannelModel; channel: Channel } | undefined;
  private inProgress: Promise<QueueReading[]> | undefined;

  constructor(
    broker: BrokerOptions,
    readonly queues: readonly NamedQueue[],
  ) {
    this.connection = connectBroker(broker);
  }

  isConnected(): boolean {
    return this.connection.isConnected();
  }

  /** Every queue's counts, read now; rejects with BrokerUnavailableError when the broker is away or slower than `timeoutMs`. */
  read(timeoutMs: number): Promise<QueueReading[]> {
    this.inProgress ??= this.readAll().finally(() => {
      this.inProgress = undefined;
    });
    return withTimeout(this.inProgress, timeoutMs);
  }

  async close(): Promise<void> {
    const open = this.channel;
    this.channel = undefined;
    await open?.channel.close().catch(() => undefined);
    await this.connection.close();
  }

  private async readAll(): Promise<QueueReading[]> {
    const readings: QueueReading[] = [];
    for (const queue of this.queues) {
      const channel = await this.openChannel();
      try {
        const info = await channel.checkQueue(queue.name);
        readings.push({ ...queue, messages: info.messageCount, consumers: info.consumerCount, exists: true });
      } catch (error) {
        if (!isNotFound(error)) throw BrokerUnavailableError.from(error);
        // The broker has closed this channel with the 404: the next queue gets a fresh one.
        if (this.channel?.channel === channel) this.channel = undefined;
        readings.push({ ...queue, messages: null, consumers: null, exists: false });
      }
    }
    return readings;
  }

  private async openChannel(): Promise<Channel> {
    const model = this.connection.connection;
    if (!model || !this.connection.isConnected()) throw new BrokerUnavailableError('message broker unavailable: not connected');
    if (this.channel?.model === model) return this.channel.channel;
    let channel: Channel;
    try {
      channel = await model.createChannel();
    } catch (error) {
      throw BrokerUnavailableError.from(error);
    }
    // A closed channel reports 'error' first; the reader sees the failure through the pending call instead.
    channel.on('error', () => undefined);
    channel.on('close', () => {
      if (this.channel?.channel === channel) this.channel = undefined;
    });
    this.channel = { model, channel };
    return channel;
  }
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 404;
}

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BrokerUnavailableError(`message broker did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
