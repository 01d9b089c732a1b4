import { randomUUID } from 'node:crypto';
import amqp, { type Channel, type ChannelModel, type Options } from 'amqplib';

/** A reply as Nest's RMQ server sends it: `{id, response}` or `{id, err}`, then `isDisposed`. */
export interface NestReply {
  response?: unknown;
  err?: unknown;
}

/**
 * Talks to a Nest RMQ consumer the way another service would, with plain amqplib and Nest's wire format:
 * events are `{pattern, data}`; requests add `id`, `replyTo: amq.rabbitmq.reply-to` and a `correlationId`.
 */
export class NestWireClient {
  private readonly pending = new Map<string, { reply: NestReply; resolve: (r: NestReply) => void }>();

  private constructor(
    private readonly connection: ChannelModel,
    readonly channel: Channel,
  ) {}

  static async connect(url: string): Promise<NestWireClient> {
    const connection = await amqp.connect(url);
    const channel = await connection.createChannel();
    const client = new NestWireClient(connection, channel);
    // Direct reply-to: consume (noAck) before the first request is published on this channel.
    await channel.consume('amq.rabbitmq.reply-to', (msg) => msg && client.onReply(msg.properties.correlationId as string, msg.content), { noAck: true });
    return client;
  }

  /** Request/reply; resolves with the raw reply packet (response or err). */
  request(queue: string, pattern: string, data: unknown, timeoutMs = 5000): Promise<NestReply> {
    const correlationId = randomUUID();
    const reply = new Promise<NestReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(correlationId);
        reject(new Error(`no reply to ${pattern} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(correlationId, {
        reply: {},
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      });
    });
    const body = Buffer.from(JSON.stringify({ pattern, data, id: randomUUID() }));
    this.channel.sendToQueue(queue, body, { replyTo: 'amq.rabbitmq.reply-to', correlationId, contentType: 'application/json' });
    return reply;
  }

  /** Like `request`, but returns the response and throws on an error reply. */
  async call<T>(queue: string, pattern: string, data: unknown): Promise<T> {
    const reply = await this.request(queue, pattern, data);
    if (reply.err !== undefined) throw new Error(`error reply: ${JSON.stringify(reply.err)}`);
    return reply.response as T;
  }

  /** A persistent event straight to a queue. */
  emit(queue: string, pattern: string, data: unknown, options: Options.Publish = {}): void {
    this.channel.sendToQueue(queue, Buffer.from(JSON.stringify({ pattern, data })), { persistent: true, ...options });
  }

  /** A persistent event to an exchange. */
  publish(exchange: string, routingKey: string, pattern: string, data: unknown, options: Options.Publish = {}): void {
    this.channel.publish(exchange, routingKey, Buffer.from(JSON.stringify({ pattern, data })), { persistent: true, ...options });
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  private onReply(correlationId: string, content: Buffer): void {
    const entry = this.pending.get(correlationId);
    if (!entry) return;
    const packet = JSON.parse(content.toString()) as NestReply & { isDisposed?: boolean };
    if ('response' in packet) entry.reply.response = packet.response;
    if ('err' in packet && packet.err !== undefined && packet.err !== null) entry.reply.err = packet.err;
    if (packet.isDisposed || entry.reply.err !== undefined) {
      this.pending.delete(correlationId);
      entry.resolve(entry.reply);
    }
  }
}
