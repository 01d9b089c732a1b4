import type { ConfirmChannel, Message, Options } from 'amqplib';

/**
 * The consuming channel as `MessageSettler` sees it on the batch path, with acks coalesced: the acks issued in
 * one turn of the event loop (a whole batch, after its outcome's confirm) go out as ONE `basic.ack` with
 * `multiple` set, for the longest run of deliveries at the head of the channel's unsettled ones. For a quorum
 * queue that is one settle command in its Raft log instead of one per message, and one socket write instead of
 * dozens (acks were the predictor's largest single cost in a drain profile).
 *
 * A multiple-ack settles every unsettled delivery up to its tag, so it is only used when all of them are
 * meant to be acked; an ack behind a delivery still in flight (an overlapping batch, a delayed requeue) goes
 * out on its own, as before. nacks are never delayed. One instance per channel: after a reconnect the broker
 * redelivers whatever the old channel had not settled, so nothing carries over.
 */
export class AckCoalescer {
  /** Delivery tags not yet acked or nacked on the wire, in delivery order (ascending: tags only grow). */
  private readonly unsettled: number[] = [];
  private readonly acksDue = new Set<number>();
  private flushScheduled = false;

  constructor(private readonly channel: Pick<ConfirmChannel, 'ack' | 'nack' | 'publish'>) {}

  /** Registers a delivery as it arrives, before any handler can settle it. */
  delivered(message: Message): void {
    this.unsettled.push(message.fields.deliveryTag);
  }

  ack(message: Message): void {
    this.acksDue.add(message.fields.deliveryTag);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  nack(message: Message, allUpTo?: boolean, requeue?: boolean): void {
    if (allUpTo) throw new Error('AckCoalescer does not nack many at once');
    this.forget(message.fields.deliveryTag);
    this.channel.nack(message, false, requeue);
  }

  publish(exchange: string, routingKey: string, content: Buffer, options?: Options.Publish, callback?: (err: unknown, ok: unknown) => void): boolean {
    return this.channel.publish(exchange, routingKey, content, options, callback);
  }

  /** Deliveries not yet settled on the wire (tests, and a bound check: never more than the prefetch). */
  get unsettledCount(): number {
    return this.unsettled.length;
  }

  private flush(): void {
    this.flushScheduled = false;
    let upTo: number | undefined;
    while (this.unsettled.length > 0 && this.acksDue.has(this.unsettled[0]!)) {
      upTo = this.unsettled.shift()!;
      this.acksDue.delete(upTo);
    }
    try {
      if (upTo !== undefined) this.channel.ack(tagged(upTo), true);
      for (const tag of this.acksDue) {
        this.forget(tag);
        this.channel.ack(tagged(tag), false);
      }
    } catch {
      // Channel closed: the broker redelivers what it had not seen settled, on a new channel.
    } finally {
      this.acksDue.clear();
    }
  }

  private forget(tag: number): void {
    const at = this.unsettled.indexOf(tag);
    if (at >= 0) this.unsettled.splice(at, 1);
  }
}

/** amqplib's ack/nack read only the delivery tag. */
function tagged(deliveryTag: number): Message {
  return { fields: { deliveryTag } } as Message;
}
