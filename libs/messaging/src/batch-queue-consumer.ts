import { Logger } from '@nestjs/common';
import { RmqContext } from '@nestjs/microservices';
import type { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import { AckCoalescer } from './ack-coalescer.js';
import { connectBroker } from './broker-connection.js';
import type { BrokerOptions } from './rmq-transport.factory.js';

/** One delivery, decoded from Nest's `{pattern, data}` envelope; `ctx` is what `MessageSettler` settles. */
export interface Delivery {
  ctx: RmqContext;
  message: ConsumeMessage;
  /** The envelope's pattern, or undefined when the body is not an envelope. */
  pattern: string | undefined;
  data: unknown;
  /** Set when the body is not JSON: the handler dead-letters it. */
  parseError: string | undefined;
}

export interface BatchQueueConsumerOptions {
  queue: string;
  prefetch: number;
  /** Deliveries per batch at most. */
  maxBatch: number;
  /** How long the first delivery of a batch waits for company; 0 hands every delivery over on its own. */
  windowMs: number;
}

/** Settles every delivery of the batch (ack, retry, dead-letter...) before its promise resolves. */
export type BatchHandler = (batch: Delivery[]) => Promise<void>;

/**
 * A work-queue consumer that hands deliveries over in batches rather than one by one: what arrives within
 * `windowMs` of the first delivery (or until `maxBatch`) is one call of the handler. Batches overlap: the
 * next one forms while the previous one waits for its broker confirms, so the prefetch window stays full.
 * Nest's per-message pipeline is skipped on purpose; this is the async inference hot path, and everything
 * per message costs throughput. Settling stays in `MessageSettler` (via the `RmqContext` of each delivery),
 * on the channel through an `AckCoalescer`: one multiple-ack per batch rather than one ack per delivery.
 */
export class BatchQueueConsumer {
  private readonly logger = new Logger(BatchQueueConsumer.name);
  private readonly connection: AmqpConnectionManager;
  private readonly channel: ChannelWrapper;
  private forming: Delivery[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private consumerTag: string | undefined;
  private stopped = false;

  constructor(
    broker: BrokerOptions,
    private readonly options: BatchQueueConsumerOptions,
    private readonly handler: BatchHandler,
  ) {
    this.connection = connectBroker(broker);
    this.channel = this.connection.createChannel({ json: false, confirm: true, setup: this.setup });
    this.channel.on('error', () => undefined);
  }

  /** Runs on every (re)connect. A batch formed on a dead channel cannot be settled on the new one: the broker redelivers it. */
  private readonly setup = async (channel: ConfirmChannel): Promise<void> => {
    this.forming = [];
    if (this.stopped) return;
    await channel.prefetch(this.options.prefetch);
    const acks = new AckCoalescer(channel);
    const { consumerTag } = await channel.consume(this.options.queue, (message) => this.onDelivery(acks, message), { noAck: false });
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

  /**
   * Stops taking deliveries, hands over the batch being formed and waits for every batch in flight, so a
   * graceful stop settles all it took; what is left unsettled (a crash) the broker redelivers.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.channel
      .removeSetup(this.setup, async (channel: ConfirmChannel) => {
        if (this.consumerTag) await channel.cancel(this.consumerTag);
      })
      .catch(() => undefined);
    this.flush();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await this.channel.close().catch(() => undefined);
    await this.connection.close().catch(() => undefined);
  }

  private onDelivery(acks: AckCoalescer, message: ConsumeMessage | null): void {
    if (message === null) return; // the broker cancelled the consumer (queue deleted); setup runs again on reconnect
    acks.delivered(message);
    this.forming.push(decode(acks, message));
    if (this.forming.length >= this.options.maxBatch || this.options.windowMs <= 0) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.options.windowMs);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.forming;
    this.forming = [];
    if (batch.length === 0) return;
    const run = this.handler(batch)
      .catch((error: unknown) => {
        // The handler settles what it can; a throw here leaves the rest to redelivery after a reconnect.
        this.logger.error(`batch of ${batch.length} failed: ${error instanceof Error ? error.message : String(error)}`);
      })
      .finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
  }
}

/** `channel` is the delivering channel with coalesced acks: what MessageSettler acks, nacks and publishes on. */
function decode(channel: AckCoalescer, message: ConsumeMessage): Delivery {
  let pattern: string | undefined;
  let data: unknown;
  let parseError: string | undefined;
  try {
    const body: unknown = JSON.parse(message.content.toString('utf8'));
    if (typeof body === 'object' && body !== null && 'pattern' in body && typeof body.pattern === 'string' && 'data' in body) {
      pattern = body.pattern;
      data = body.data;
    } else {
      data = body;
    }
  } catch (error) {
    parseError = `body is not JSON: ${error instanceof Error ? error.message : String(error)}`;
  }
  return { ctx: new RmqContext([message, channel, pattern ?? '']), message, pattern, data, parseError };
}
