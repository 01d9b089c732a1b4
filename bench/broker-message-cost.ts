// RabbitMQ's own CPU per message for one queue kind, at a paced rate: what one hop of a task costs the broker.
import { setTimeout as sleep } from 'node:timers/promises';
import amqp, { type Options } from 'amqplib';
import { waitFor } from '@app/testing';
import { processCpuSeconds } from './cpu-meter.js';

export interface QueueKind {
  /** Declared as this (a scratch queue, deleted by the caller). */
  declare: Options.AssertQueue;
  /** Published with delivery mode 2 (written to disk before the confirm). */
  persistent: boolean;
}

export interface MessageCostSpec {
  amqpUrl: string;
  queue: string;
  kind: QueueKind;
  /** Bytes per message body. */
  size: number;
  /** Messages per second, paced (the rates a task's hops run at in row 5, not a flood that batches itself). */
  rate: number;
  count: number;
  brokerPid: number | undefined;
}

/**
 * Publishes `count` messages at `rate` on a confirm channel and consumes them with manual acks on another
 * (publish, confirm, deliver, ack: every step a task message takes), and returns the broker's CPU seconds
 * per message over the whole exchange. The broker's idle CPU over the same time is included.
 */
export async function brokerCpuPerMessage(spec: MessageCostSpec): Promise<number> {
  const connection = await amqp.connect(spec.amqpUrl, { noDelay: true });
  try {
    const publisher = await connection.createConfirmChannel();
    await publisher.assertQueue(spec.queue, spec.kind.declare);
    const consumer = await connection.createChannel();
    await consumer.prefetch(100);
    let received = 0;
    await consumer.consume(spec.queue, (message) => {
      if (!message) return;
      received += 1;
      consumer.ack(message);
    });
    const body = Buffer.alloc(spec.size, 'a');
    const before = processCpuSeconds(spec.brokerPid);
    const started = performance.now();
    for (let i = 0; i < spec.count; i += 1) {
      publisher.sendToQueue(spec.queue, body, { persistent: spec.kind.persistent });
      const wait = started + ((i + 1) * 1000) / spec.rate - performance.now();
      if (wait > 0) await sleep(wait);
    }
    await publisher.waitForConfirms();
    await waitFor(() => (received >= spec.count ? true : undefined), 30_000, 'every scratch message consumed', 10);
    return (processCpuSeconds(spec.brokerPid) - before) / spec.count;
  } finally {
    await connection.close();
  }
}
