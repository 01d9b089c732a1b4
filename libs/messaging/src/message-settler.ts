import type { RmqContext } from '@nestjs/microservices';
import { MessageValidationError } from '@app/contracts';
import type { ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import { Headers } from './message-headers.js';

/** Pause before an event that failed for an unexpected reason is redelivered. */
export const REQUEUE_DELAY_MS = 1000;

/**
 * The one place that acks, rejects, requeues and republishes broker messages. Every delivery is settled
 * exactly once: a second ack of the same delivery tag is a channel error that would redeliver everything
 * in flight, so settled messages are remembered.
 */
export class MessageSettler {
  private readonly settled = new WeakSet<ConsumeMessage>();

  isSettled(ctx: RmqContext): boolean {
    return this.settled.has(ctx.getMessage() as ConsumeMessage);
  }

  ack(ctx: RmqContext): void {
    this.settle(ctx, (channel, msg) => channel.ack(msg));
  }

  /** nack without requeue: the queue's own dead-letter exchange (if any) takes it. */
  reject(ctx: RmqContext): void {
    this.settle(ctx, (channel, msg) => channel.nack(msg, false, false));
  }

  /** nack with requeue after a pause, so a transient fault (e.g. Redis away) is not a hot loop. */
  requeueLater(ctx: RmqContext, delayMs: number): void {
    const msg = ctx.getMessage() as ConsumeMessage;
    if (this.settled.has(msg)) return;
    this.settled.add(msg);
    setTimeout(() => safely(() => channelOf(ctx).nack(msg, false, true)), delayMs).unref();
  }

  /**
   * Settles an event its handler failed on: an invalid one is rejected to the queue's dead-letter exchange
   * (redelivery cannot fix it), any other failure (Redis away, say) is requeued after `REQUEUE_DELAY_MS`.
   */
  settleFailedEvent(ctx: RmqContext, error: unknown): 'rejected' | 'requeued' {
    if (error instanceof MessageValidationError) {
      this.reject(ctx);
      return 'rejected';
    }
    this.requeueLater(ctx, REQUEUE_DELAY_MS);
    return 'requeued';
  }

  /**
   * Publishes a copy (same body and properties, updated headers) on the delivering channel, waits for the
   * broker's confirm, then acks the original. A crash in between redelivers the original: at least once.
   */
  async forward(ctx: RmqContext, target: { exchange: string; routingKey: string }, headers: Record<string, unknown>): Promise<void> {
    const msg = ctx.getMessage() as ConsumeMessage;
    if (this.settled.has(msg)) return;
    const channel = channelOf(ctx);
    const options = republishOptions(msg, headers);
    await new Promise<void>((resolve, reject) => {
      channel.publish(target.exchange, target.routingKey, msg.content, options, (err: unknown) =>
        err ? reject(err instanceof Error ? err : new Error('the broker did not confirm the message')) : resolve(),
      );
    });
    this.ack(ctx);
  }

  /** Sends a message to a retry queue (default exchange, routing key = queue name). */
  retry(ctx: RmqContext, retryQueue: string, nextAttempt: number, error: string): Promise<void> {
    return this.forward(ctx, { exchange: '', routingKey: retryQueue }, { [Headers.attempt]: nextAttempt, [Headers.deathError]: error });
  }

  /** Parks a message in the dead-letter exchange with the reason, so humans and `results` can see why. */
  deadLetter(ctx: RmqContext, exchange: string, reason: string, error: string, attempt: number): Promise<void> {
    return this.forward(ctx, { exchange, routingKey: '' }, {
      [Headers.deathReason]: reason,
      [Headers.deathError]: error.slice(0, 2000),
      [Headers.attempt]: attempt,
      [Headers.originalQueue]: (ctx.getMessage() as ConsumeMessage).fields.routingKey,
    });
  }

  private settle(ctx: RmqContext, action: (channel: ConfirmChannel, msg: ConsumeMessage) => void): void {
    const msg = ctx.getMessage() as ConsumeMessage;
    if (this.settled.has(msg)) return;
    this.settled.add(msg);
    // After a reconnect the delivering channel is gone and the broker redelivers anyway.
    safely(() => action(channelOf(ctx), msg));
  }
}

function channelOf(ctx: RmqContext): ConfirmChannel {
  return ctx.getChannelRef() as ConfirmChannel;
}

function safely(action: () => void): void {
  try {
    action();
  } catch {
    // Channel closed: the broker will redeliver the unsettled message on a new channel.
  }
}

/**
 * Options to publish a copy of a delivered message: its properties, persistent, its headers minus the broker's
 * own (`x-…`), plus `headers`.
 */
export function republishOptions(msg: ConsumeMessage, headers: Record<string, unknown> = {}): Options.Publish {
  return { ...stripUndefined(msg.properties), persistent: true, headers: { ...withoutBrokerHeaders(msg.properties.headers), ...headers } };
}

function withoutBrokerHeaders(headers: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (!k.startsWith('x-')) out[k] = v;
  return out;
}

function stripUndefined(properties: ConsumeMessage['properties']): Options.Publish {
  const out: Options.Publish & Record<string, unknown> = {};
  for (const [k, v] of Object.entries(properties)) if (v !== undefined && k !== 'headers') out[k] = v;
  return out;
}
