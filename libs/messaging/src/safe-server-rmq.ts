import { Logger } from '@nestjs/common';
import { ServerRMQ, type RmqContext } from '@nestjs/microservices';
import type { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import { coalesceWritesOnConnect } from './socket-write-coalescing.js';

/**
 * Nest's RMQ server with its writes coalesced (`coalesceWritesOnConnect`) and one fix: it sends RPC replies with `channel.sendToQueue(...)` and drops the returned
 * promise, so a reply racing a broker restart rejects unhandled ("channel closed") and kills the process —
 * found by the fault suite. The reply is lost either way (the caller's deadline covers it); the process is not.
 */
export class SafeServerRMQ extends ServerRMQ {
  private readonly replyLogger = new Logger('SafeServerRMQ');

  /** Nest's connection, with a turn's frames (replies, acks) sent in one write. */
  override async createClient<T = AmqpConnectionManager>(): Promise<T> {
    const manager = await super.createClient<AmqpConnectionManager>();
    coalesceWritesOnConnect(manager);
    return manager as T;
  }

  override sendMessage<T = unknown>(message: T, replyTo: string, correlationId: string, _context: RmqContext): void {
    const outgoing = this.serializer.serialize(message as never) as { options?: Record<string, unknown> } & Record<string, unknown>;
    const options = outgoing.options;
    delete outgoing.options;
    // Nest types the wrapper loosely; it is amqp-connection-manager's ChannelWrapper.
    const channel = this.channel as ChannelWrapper | null;
    if (!channel) return;
    channel
      .sendToQueue(replyTo, Buffer.from(JSON.stringify(outgoing)), { correlationId, ...options })
      .catch((error: unknown) => this.replyLogger.warn(`RPC reply ${correlationId} lost: ${error instanceof Error ? error.message : String(error)}`));
  }
}
