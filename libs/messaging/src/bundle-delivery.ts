import { isValidCorrelationId, Patterns } from '@app/contracts';
import { RmqContext } from '@nestjs/microservices';
import type { ConsumeMessage, Options } from 'amqplib';
import type { Delivery } from './batch-queue-consumer.js';
import { Headers } from './message-headers.js';
import { republishOptions } from './message-settler.js';

/** One message of a bundle: what it would carry as a message of its own. */
export interface BundlePart {
  pattern: string;
  data: unknown;
  /** Added to the bundle's headers (a correlation id, say). */
  headers: Record<string, unknown>;
  /** The part's own message id, in place of the bundle's. */
  messageId?: string;
}

/** A bundle's task (`prediction.task-bundle.v1`) as the single `prediction.task.v1` message it stands for. */
export function bundlePartOf(task: unknown): BundlePart {
  if (typeof task !== 'object' || task === null) return { pattern: Patterns.predictTask, data: task, headers: {} };
  const { correlation_id: correlationId, ...data } = task as { correlation_id?: unknown; task_id?: unknown };
  const headers = isValidCorrelationId(correlationId) ? { [Headers.correlationId]: correlationId } : {};
  return { pattern: Patterns.predictTask, data, headers, ...(typeof data.task_id === 'string' ? { messageId: data.task_id } : {}) };
}

/** Where a part goes when it cannot be settled with the bundle. */
export interface BundleRouting {
  /** The work queue (default exchange): a part handed back to the queue goes there alone. */
  requeueTo: string;
  /** The queue's dead-letter exchange: a part rejected without requeue goes there alone, as the queue would send it. */
  rejectTo: string;
}

/** The delivering channel, as `MessageSettler` uses it. */
interface SettlingChannel {
  ack(message: ConsumeMessage): void;
  nack(message: ConsumeMessage, allUpTo?: boolean, requeue?: boolean): void;
  publish(exchange: string, routingKey: string, content: Buffer, options?: Options.Publish, callback?: (err: unknown, ok: unknown) => void): boolean;
}

/**
 * The parts of one delivered bundle as deliveries of their own (ADR 0012), each settled through
 * `MessageSettler` exactly as a single message would be: acked, retried, dead-lettered or handed back. The
 * bundle itself is acked (through `ackBundle`) once every part is settled; until then a crash redelivers the
 * whole bundle. A part that goes anywhere but "done" (a retry queue, the dead-letter exchange, back to the work
 * queue) is published there alone, confirmed, as the single message it stands for: nothing else of the bundle
 * travels with it.
 */
export function splitDelivery(bundle: Delivery, parts: readonly BundlePart[], routing: BundleRouting, ackBundle: () => void): Delivery[] {
  const channel = bundle.ctx.getChannelRef() as SettlingChannel;
  let unsettled = parts.length;
  const settledOne = (): void => {
    unsettled -= 1;
    if (unsettled === 0) ackBundle();
  };
  const partChannel: SettlingChannel = {
    ack: () => settledOne(),
    nack: (message, _allUpTo, requeue) => {
      const target = requeue === false ? { exchange: routing.rejectTo, routingKey: '' } : { exchange: '', routingKey: routing.requeueTo };
      channel.publish(target.exchange, target.routingKey, message.content, republishOptions(message), (err: unknown) => {
        // Unconfirmed: the part stays unsettled, so the bundle is not acked and comes back whole.
        if (!err) settledOne();
      });
    },
    publish: (exchange, routingKey, content, options, callback) => channel.publish(exchange, routingKey, content, options, callback),
  };
  return parts.map((part) => {
    const message = partMessage(bundle.message, part);
    return { ctx: new RmqContext([message, partChannel, part.pattern]), message, pattern: part.pattern, data: part.data, parseError: undefined };
  });
}

/**
 * Hands a bundle's parts back to the work queue one message each, then acks the bundle (after every confirm).
 * For a bundle delivered again: its predictor died holding it, maybe because of one of its tasks, and alone
 * that task can only take itself down. A crash half way redelivers the bundle: at worst a part queued twice.
 */
export async function requeueParts(bundle: Delivery, parts: readonly BundlePart[], routing: BundleRouting, ackBundle: () => void): Promise<void> {
  const channel = bundle.ctx.getChannelRef() as SettlingChannel;
  await Promise.all(
    parts.map(
      (part) =>
        new Promise<void>((resolve, reject) => {
          const message = partMessage(bundle.message, part);
          channel.publish('', routing.requeueTo, message.content, republishOptions(message), (err: unknown) =>
            err ? reject(err instanceof Error ? err : new Error('the broker did not confirm a bundle part')) : resolve(),
          );
        }),
    ),
  );
  ackBundle();
}

/** The part as the message it stands for: the bundle's fields and properties, its own body and headers. */
function partMessage(bundle: ConsumeMessage, part: BundlePart): ConsumeMessage {
  let content: Buffer | undefined;
  const message = {
    fields: bundle.fields,
    properties: { ...bundle.properties, messageId: part.messageId, headers: { ...bundle.properties.headers, ...part.headers } },
  } as ConsumeMessage;
  // Encoded only when the part travels alone (a retry, a dead letter): scoring it needs no body.
  Object.defineProperty(message, 'content', { enumerable: true, get: () => (content ??= Buffer.from(JSON.stringify({ pattern: part.pattern, data: part.data }))) });
  return message;
}
