import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage, type Options } from 'amqplib';
import { BrokerUnreachableError, QueueNotFoundError } from './dlq-errors.js';

/** Largest per-consumer prefetch AMQP can express; above it the window is unlimited (0). */
const MAX_PREFETCH = 65_535;

export interface SnapshotOptions {
  /** Take at most this many messages (default: every ready message). */
  limit?: number;
  /** Stop as soon as a delivery satisfies this (the rest of the queue is not fetched). */
  stopWhen?: (message: ConsumeMessage) => boolean;
  /** Give up waiting for more deliveries after this long without one (another reader may hold some). */
  idleMs?: number;
}

/**
 * Messages of a queue held unacknowledged on their own channel: they stay in the queue (invisible to other
 * readers) until `ack` removes one or `release` (or a crash, or a lost connection) returns the rest. Nothing
 * is ever lost by looking. On RabbitMQ 3.x each return counts as a redelivery (`x-delivery-count`), harmless
 * on a queue without a delivery limit.
 */
export class QueueSnapshot {
  private released = false;

  constructor(
    private readonly channel: Channel,
    readonly queue: string,
    /** Ready messages when the snapshot was taken (the queue may hold more than were fetched). */
    readonly total: number,
    readonly messages: readonly ConsumeMessage[],
    private readonly failure: () => Error | undefined,
  ) {}

  /** Removes one message from the queue for good. */
  ack(message: ConsumeMessage): void {
    const error = this.failure();
    if (error) throw error;
    this.channel.ack(message);
  }

  /** Returns every message not acked to the queue (closing the channel; acks sent before are processed first). */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.channel.close().catch(() => undefined);
  }
}

/** The dead-letter tool's view of RabbitMQ: plain amqplib, one short-lived connection, nothing declared. */
export class DeadLetterQueueAdapter {
  private publisher: ConfirmChannel | undefined;
  private lost: Error | undefined;

  private constructor(private readonly connection: ChannelModel) {
    connection.on('error', (error: Error) => {
      this.lost = new BrokerUnreachableError(`lost the RabbitMQ connection: ${error.message}`);
    });
    connection.on('close', () => {
      this.lost ??= new BrokerUnreachableError('the RabbitMQ connection was closed');
    });
  }

  static async connect(url: string, timeoutMs: number): Promise<DeadLetterQueueAdapter> {
    try {
      const connection = await amqp.connect(url, { timeout: timeoutMs, noDelay: true, clientProperties: { connection_name: 'match-predict:dlq-cli' } });
      return new DeadLetterQueueAdapter(connection);
    } catch (error) {
      throw new BrokerUnreachableError(`RabbitMQ unreachable at ${redact(url)}: ${describe(error)}`);
    }
  }

  /** Ready messages in `queue`; QueueNotFoundError when it does not exist. */
  async count(queue: string): Promise<number> {
    return this.withChannel(queue, async (channel) => (await channel.checkQueue(queue)).messageCount);
  }

  /** Holds up to `limit` ready messages of `queue` (see QueueSnapshot): consume with a window, never ack. */
  async snapshot(queue: string, options: SnapshotOptions = {}): Promise<QueueSnapshot> {
    const total = await this.count(queue);
    const channel = await this.openChannel();
    let failure: Error | undefined;
    channel.on('error', (error: Error) => {
      failure = new BrokerUnreachableError(`the broker closed the channel on ${queue}: ${error.message}`);
    });
    channel.on('close', () => {
      failure ??= this.lost ?? new BrokerUnreachableError(`the channel on ${queue} was closed`);
    });
    const wanted = Math.min(options.limit ?? total, total);
    const messages: ConsumeMessage[] = [];
    if (wanted > 0) {
      await channel.prefetch(wanted > MAX_PREFETCH ? 0 : wanted);
      let done: () => void = () => undefined;
      const finished = new Promise<void>((resolve) => {
        done = resolve;
      });
      let idle: NodeJS.Timeout | undefined;
      const armIdle = () => {
        clearTimeout(idle);
        idle = setTimeout(done, options.idleMs ?? 1500);
      };
      armIdle();
      const { consumerTag } = await channel.consume(
        queue,
        (message) => {
          if (message === null) return done(); // the broker cancelled the consumer (queue deleted)
          messages.push(message);
          armIdle();
          if (messages.length >= wanted || options.stopWhen?.(message)) done();
        },
        { noAck: false },
      );
      await finished;
      clearTimeout(idle);
      await channel.cancel(consumerTag).catch(() => undefined);
    }
    if (failure) {
      await channel.close().catch(() => undefined);
      throw failure;
    }
    return new QueueSnapshot(channel, queue, total, messages, () => failure);
  }

  /**
   * Persistent publish straight to `queue`, resolved only once the broker confirms it. `mandatory`: a queue that
   * does not exist returns the message instead of dropping it silently, and that is an error here.
   */
  async publishToQueue(queue: string, content: Buffer, options: Options.Publish): Promise<void> {
    const channel = await this.confirmChannel();
    let returned = false;
    const onReturn = () => {
      returned = true;
    };
    channel.on('return', onReturn);
    try {
      await new Promise<void>((resolve, reject) => {
        channel.sendToQueue(queue, content, { ...options, persistent: true, mandatory: true }, (error: unknown) =>
          error ? reject(new BrokerUnreachableError(`the broker did not confirm the message to ${queue}`)) : resolve(),
        );
      });
    } finally {
      channel.off('return', onReturn);
    }
    // basic.return precedes the confirm of an unroutable mandatory message.
    if (returned) throw new QueueNotFoundError(queue);
  }

  /** Deletes every ready message of `queue`; returns how many. */
  async purge(queue: string): Promise<number> {
    return this.withChannel(queue, async (channel) => {
      await channel.checkQueue(queue);
      return (await channel.purgeQueue(queue)).messageCount;
    });
  }

  async close(): Promise<void> {
    await this.publisher?.close().catch(() => undefined);
    await this.connection.close().catch(() => undefined);
  }

  private async confirmChannel(): Promise<ConfirmChannel> {
    if (this.lost) throw this.lost;
    if (!this.publisher) {
      const channel = await this.connection.createConfirmChannel();
      channel.on('error', () => undefined);
      channel.on('close', () => {
        if (this.publisher === channel) this.publisher = undefined;
      });
      this.publisher = channel;
    }
    return this.publisher;
  }

  private async openChannel(): Promise<Channel> {
    if (this.lost) throw this.lost;
    try {
      return await this.connection.createChannel();
    } catch (error) {
      throw new BrokerUnreachableError(`could not open a channel: ${describe(error)}`);
    }
  }

  /** A throwaway channel: a 404 (queue not found) closes the channel it happens on. */
  private async withChannel<T>(queue: string, action: (channel: Channel) => Promise<T>): Promise<T> {
    const channel = await this.openChannel();
    channel.on('error', () => undefined);
    try {
      return await action(channel);
    } catch (error) {
      if (isNotFound(error)) throw new QueueNotFoundError(queue);
      if (this.lost) throw this.lost;
      throw error;
    } finally {
      await channel.close().catch(() => undefined);
    }
  }
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 404;
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describe(error.errors[0]);
  if (error instanceof Error) return error.message || error.name || (error as { code?: string }).code || 'error';
  return String(error);
}

/** The URL without its password, for error messages. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<invalid URL>';
  }
}
