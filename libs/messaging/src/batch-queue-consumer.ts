import { Logger } from '@nestjs/common';
import { RmqContext } from '@nestjs/microservices';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import { AckCoalescer } from './ack-coalescer.js';
import { QueueConsumption } from './queue-consumption.js';
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
  private readonly consumption: QueueConsumption<ConfirmChannel>;
  private forming: Delivery[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    broker: BrokerOptions,
    private readonly options: BatchQueueConsumerOptions,
    private readonly handler: BatchHandler,
  ) {
    // On every (re)connect: a batch formed on a dead channel cannot be settled on the new one (the broker
    // redelivers it), and acks are coalesced per channel.
    this.consumption = new QueueConsumption<ConfirmChannel>(broker, { queue: options.queue, prefetch: options.prefetch, confirm: true }, (channel) => {
      this.forming = [];
      const acks = new AckCoalescer(channel);
      return (message) => this.onDelivery(acks, message);
    });
  }

  /** Resolves once the first channel is consuming. */
  ready(): Promise<void> {
    return this.consumption.ready();
  }

  /** Taking deliveries right now (for readiness): connected, a consumer attached, not stopping. */
  isConsuming(): boolean {
    return this.consumption.isConsuming();
  }

  /**
   * Stops taking deliveries, hands over the batch being formed and waits for every batch in flight, so a
   * graceful stop settles all it took; what is left unsettled (a crash) the broker redelivers.
   */
  stop(): Promise<void> {
    return this.consumption.stop(() => this.flush());
  }

  private onDelivery(acks: AckCoalescer, message: ConsumeMessage): void {
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
    this.consumption.track(
      this.handler(batch).catch((error: unknown) => {
        // The handler settles what it can; a throw here leaves the rest to redelivery after a reconnect.
        this.logger.error(`batch of ${batch.length} failed: ${error instanceof Error ? error.message : String(error)}`);
      }),
    );
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
