import type { Options } from 'amqplib';

/**
 * The whole RabbitMQ topology, in one place. Every app declares queues from this function, so two apps can
 * never declare one queue differently (which RabbitMQ answers with 406 PRECONDITION_FAILED).
 *
 *   gateway ──sync──► ml.interactive (classic, transient, per-message TTL = caller's deadline) ──► predictor
 *   gateway ──async─► ml (quorum, persistent) ──► predictor ──events──► results.events (quorum) ──► results
 *                     ▲   │ failed attempt                 │ last attempt / invalid / delivery-limit
 *   ml.retry.<ms> ────┘◄──┘ (TTL, dead-letters back)       ▼
 *                                         ml.dlx (fanout) ──► ml.dlq (parking lot, for humans)
 *                                                        └──► results.dead-letters (task → failure)
 *   gateway ──RPC──► results.rpc (classic, transient) ──► results
 *   results.events ──invalid event──► results.dlx (fanout) ──► results.events.dlq
 */
export interface TopologyOptions {
  /** Prefix for every name, so tests and tenants never collide ('' in production). */
  prefix: string;
  /** Delay before each retry; its length is the number of retries (attempts = length + 1). */
  retryDelaysMs: readonly number[];
}

/**
 * Broker-side safety net: redeliveries of one task message (crash loops) before the broker dead-letters it.
 * A constant, not a setting: it is a queue argument, and apps declaring it differently get 406 at boot.
 */
export const WORK_QUEUE_DELIVERY_LIMIT = 5;

export interface QueueDeclaration {
  name: string;
  options: Options.AssertQueue;
}

export interface RetryQueueDeclaration extends QueueDeclaration {
  delayMs: number;
}

export interface Topology {
  queues: {
    work: string;
    interactive: string;
    deadLetter: string;
    events: string;
    deadLetterEvents: string;
    resultsRpc: string;
    /** Parking lot for events `results` could not parse (never retried, kept for humans). */
    eventsDeadLetter: string;
  };
  deadLetterExchange: string;
  eventsDeadLetterExchange: string;
  retryQueues: RetryQueueDeclaration[];
  /** Everything but the retry queues, in declaration order. */
  declarations: QueueDeclaration[];
  /** Retry queue for a given 1-based failed attempt, or null when attempts are exhausted. */
  retryQueueFor(failedAttempt: number): RetryQueueDeclaration | null;
  maxAttempts: number;
}

const quorum = (extra: Record<string, unknown> = {}): Options.AssertQueue => ({
  durable: true,
  arguments: { 'x-queue-type': 'quorum', ...extra },
});

const classic = (): Options.AssertQueue => ({ durable: true, arguments: { 'x-queue-type': 'classic' } });

export function buildTopology(options: TopologyOptions): Topology {
  const p = options.prefix;
  const queues = {
    work: `${p}ml`,
    interactive: `${p}ml.interactive`,
    deadLetter: `${p}ml.dlq`,
    events: `${p}results.events`,
    deadLetterEvents: `${p}results.dead-letters`,
    resultsRpc: `${p}results.rpc`,
    eventsDeadLetter: `${p}results.events.dlq`,
  };
  const deadLetterExchange = `${p}ml.dlx`;
  const eventsDeadLetterExchange = `${p}results.dlx`;
  const retryQueues = [...new Set(options.retryDelaysMs)].map((ms) => ({
    name: `${p}ml.retry.${ms}ms`,
    delayMs: ms,
    options: quorum({ 'x-message-ttl': ms, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': queues.work }),
  }));
  const declarations: QueueDeclaration[] = [
    {
      name: queues.work,
      options: quorum({ 'x-delivery-limit': WORK_QUEUE_DELIVERY_LIMIT, 'x-dead-letter-exchange': deadLetterExchange }),
    },
    // Sync requests die with their caller: transient messages on a classic queue, expiring at the deadline.
    { name: queues.interactive, options: classic() },
    { name: queues.deadLetter, options: quorum() },
    { name: queues.events, options: quorum({ 'x-dead-letter-exchange': eventsDeadLetterExchange }) },
    { name: queues.eventsDeadLetter, options: quorum() },
    { name: queues.deadLetterEvents, options: quorum() },
    { name: queues.resultsRpc, options: classic() },
  ];
  return {
    queues,
    deadLetterExchange,
    eventsDeadLetterExchange,
    retryQueues,
    declarations,
    maxAttempts: options.retryDelaysMs.length + 1,
    retryQueueFor(failedAttempt) {
      const delay = options.retryDelaysMs[failedAttempt - 1];
      if (delay === undefined) return null;
      return retryQueues.find((q) => q.name === `${p}ml.retry.${delay}ms`) ?? null;
    },
  };
}

/** Minimal channel surface needed to declare the topology (amqplib Channel satisfies it). */
export interface TopologyChannel {
  assertQueue(name: string, options?: Options.AssertQueue): Promise<unknown>;
  assertExchange(name: string, type: string, options?: Options.AssertExchange): Promise<unknown>;
  bindQueue(queue: string, exchange: string, pattern: string): Promise<unknown>;
}

/** Idempotent: safe on every (re)connect and from every app. */
export async function assertTopology(channel: TopologyChannel, topology: Topology): Promise<void> {
  await channel.assertExchange(topology.deadLetterExchange, 'fanout', { durable: true });
  await channel.assertExchange(topology.eventsDeadLetterExchange, 'fanout', { durable: true });
  for (const q of [...topology.declarations, ...topology.retryQueues]) {
    await channel.assertQueue(q.name, q.options);
  }
  await channel.bindQueue(topology.queues.deadLetter, topology.deadLetterExchange, '');
  await channel.bindQueue(topology.queues.deadLetterEvents, topology.deadLetterExchange, '');
  await channel.bindQueue(topology.queues.eventsDeadLetter, topology.eventsDeadLetterExchange, '');
}

/** Names of every queue and exchange, for tests and tooling that clean up after themselves. */
export function topologyNames(topology: Topology): { queues: string[]; exchanges: string[] } {
  return {
    queues: [...topology.declarations, ...topology.retryQueues].map((q) => q.name),
    exchanges: [topology.deadLetterExchange, topology.eventsDeadLetterExchange],
  };
}
