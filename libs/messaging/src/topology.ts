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
 *   predictor ──heartbeat──► predictors.presence (fanout) ──► one exclusive, server-named queue per gateway
 *   results ──settled notice──► tasks.settled (fanout) ──► one exclusive, server-named queue per gateway
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
  /** The prefix every name starts with; a queue's logical name is its name without it. */
  prefix: string;
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
  /** Fanout of predictor heartbeats; every subscriber binds a private queue of its own (no shared queue). */
  presenceExchange: string;
  /** Fanout of `task.settled.v1` notices (results → every gateway), for status long-polls. Same pattern. */
  settledExchange: string;
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

/** The notice fanouts (presence, settled), declared with the rest and again by each subscriber (same options, or 406). */
export const FANOUT_EXCHANGE_OPTIONS: Options.AssertExchange = { durable: true };

/**
 * A fanout subscriber's queue: server-named, exclusive to its connection and deleted with it, so a gateway
 * that dies leaves nothing behind. Notices are worthless once late, so nothing is kept for a lost reader, and
 * a reader that falls behind loses the oldest ones rather than the broker's memory.
 */
export const FANOUT_SUBSCRIBER_QUEUE_OPTIONS: Options.AssertQueue = {
  exclusive: true,
  autoDelete: true,
  durable: false,
  arguments: { 'x-max-length': 10_000, 'x-overflow': 'drop-head' },
};

/**
 * Retry delays of a policy of `maxAttempts` attempts, the first retry after `firstDelayMs` and each later one
 * twice as long as the one before: the retry queues' names (`ml.retry.<ms>ms`) follow from it.
 */
export function retryDelays(maxAttempts: number, firstDelayMs: number): number[] {
  return Array.from({ length: Math.max(0, maxAttempts - 1) }, (_, i) => firstDelayMs * 2 ** i);
}

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
  const presenceExchange = `${p}predictors.presence`;
  const settledExchange = `${p}tasks.settled`;
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
    prefix: p,
    queues,
    deadLetterExchange,
    eventsDeadLetterExchange,
    presenceExchange,
    settledExchange,
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
  await channel.assertExchange(topology.presenceExchange, 'fanout', FANOUT_EXCHANGE_OPTIONS);
  await channel.assertExchange(topology.settledExchange, 'fanout', FANOUT_EXCHANGE_OPTIONS);
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
    exchanges: [topology.deadLetterExchange, topology.eventsDeadLetterExchange, topology.presenceExchange, topology.settledExchange],
  };
}

/** A queue as operators know it (`ml`, `ml.retry.2000ms`) beside its name on the broker (`<prefix>ml`...). */
export interface NamedQueue {
  /** The logical name: the broker name without QUEUE_PREFIX, so dashboards work whatever the prefix. */
  queue: string;
  name: string;
}

export function logicalQueueName(topology: Pick<Topology, 'prefix'>, name: string): string {
  return topology.prefix && name.startsWith(topology.prefix) ? name.slice(topology.prefix.length) : name;
}

/** Every queue of the topology (retry queues last), each with its logical name. */
export function namedQueues(topology: Topology): NamedQueue[] {
  return topologyNames(topology).queues.map((name) => ({ queue: logicalQueueName(topology, name), name }));
}
