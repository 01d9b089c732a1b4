import type { EventMap, EventPatternName } from '@app/contracts';
import type { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import { connectBroker } from './broker-connection.js';
import { BrokerUnavailableError } from './broker-unavailable.error.js';
import { encodeEvent } from './event-envelope.js';
import type { BrokerOptions } from './rmq-transport.factory.js';

export interface PublishOptions {
  messageId?: string;
  headers?: Record<string, string>;
  /** Give up waiting for the broker's confirm after this long. */
  confirmTimeoutMs?: number;
}

/**
 * Typed, persistent publish to one queue that resolves only once the broker has confirmed the message. Nest's
 * event wire format (`{pattern, data}`, what `ClientRMQ.emit` sent) on a plain amqp-connection-manager confirm
 * channel: per message one JSON body and one publish, without Nest's client, record builder and RxJS pipeline
 * (ADR 0013). While the connection is down a message waits in the channel wrapper for the reconnect, at most
 * its confirm timeout; then, or on a nack, the publish fails with `BrokerUnavailableError`.
 */
export class EventPublisher {
  private readonly channel: ChannelWrapper;

  private constructor(
    private readonly connection: AmqpConnectionManager,
    private readonly ownsConnection: boolean,
    private readonly queue: string,
    private readonly defaultConfirmTimeoutMs: number,
  ) {
    // The queue itself is declared by BrokerTopology; the channel only publishes.
    this.channel = connection.createChannel({ json: false, confirm: true });
    // Reported while it reconnects; a publish in flight fails on its own.
    this.channel.on('error', () => undefined);
  }

  /** A publisher on a connection of its own, closed with it. */
  static connect(broker: BrokerOptions, queue: string, defaultConfirmTimeoutMs = 5000): EventPublisher {
    return new EventPublisher(connectBroker(broker), true, queue, defaultConfirmTimeoutMs);
  }

  /** A publisher sharing a connection its owner closes. */
  static on(connection: AmqpConnectionManager, queue: string, defaultConfirmTimeoutMs = 5000): EventPublisher {
    return new EventPublisher(connection, false, queue, defaultConfirmTimeoutMs);
  }

  /** Resolves once the channel is open; rejects after `timeoutMs`. */
  async ready(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new BrokerUnavailableError(`message broker unavailable: no channel to ${this.queue} within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.channel.waitForConnect(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async publish<P extends EventPatternName>(pattern: P, payload: EventMap[P], options: PublishOptions = {}): Promise<void> {
    try {
      await this.channel.sendToQueue(this.queue, encodeEvent(pattern, payload), {
        persistent: true,
        timeout: options.confirmTimeoutMs ?? this.defaultConfirmTimeoutMs,
        ...(options.messageId ? { messageId: options.messageId } : {}),
        ...(options.headers ? { headers: options.headers } : {}),
      });
    } catch (error) {
      throw BrokerUnavailableError.from(error);
    }
  }

  async close(): Promise<void> {
    await this.channel.close().catch(() => undefined);
    if (this.ownsConnection) await this.connection.close().catch(() => undefined);
  }
}
