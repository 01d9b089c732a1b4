// Generators of malformed broker messages for the fuzz suite: what any producer on the broker could send to
// the queues the apps consume. Every one is invalid by construction, so no consumer may act on it.
import fc from 'fast-check';
import type { Topology } from '@app/messaging';

export type Lane = 'work' | 'interactive' | 'events' | 'rpc';

/** The queue each lane's consumer reads. */
export function laneQueues(topology: Topology): Record<Lane, string> {
  return { work: topology.queues.work, interactive: topology.queues.interactive, events: topology.queues.events, rpc: topology.queues.resultsRpc };
}

/** Patterns each lane's consumer handles (string literals: the public contract, see docs/messages.md). */
export const OWN_PATTERNS: Record<Lane, string[]> = {
  work: ['prediction.task.v1'],
  interactive: ['prediction.predict.v1', 'model.info.v1'],
  events: ['task.started.v1', 'task.retrying.v1', 'task.succeeded.v1'],
  rpc: ['task.create.v1', 'task.status.v1', 'task.abandon.v1', 'task.queued.v1'],
};
const ALL_PATTERNS = Object.values(OWN_PATTERNS).flat();

export interface BrokerCase {
  kind: string;
  content: Buffer;
  headers: Record<string, unknown>;
  replyTo: boolean;
  contentType: string | undefined;
}

/** Keys that make the shared validator throw something other than a validation error (regression cases for that fix). */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
function hasPrototypeKeyBelowTop(value: unknown, depth = 0): boolean {
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(value).some(([k, v]) => (depth > 0 && PROTOTYPE_KEYS.has(k)) || hasPrototypeKeyBelowTop(v, depth + 1));
}

const key = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('task_id', 'match_id', 'features', 'attempt', 'at', 'result', 'error', 'retry_in_ms', 'deadline_at', 'idempotency_key', 'request'));
const value = fc.jsonValue({ maxDepth: 3 });

/**
 * Payloads no consumer may accept: not an object, or an object with a field no message has (every message
 * class forbids unknown fields). Nested prototype keys are covered by the validator-crash test below.
 */
const invalidData = fc
  .oneof(
    fc.oneof(fc.integer(), fc.double(), fc.string(), fc.boolean(), fc.constant(null), fc.array(value, { maxLength: 3 })),
    fc.tuple(fc.dictionary(key, value, { maxKeys: 6 }), fc.string({ minLength: 1, maxLength: 8 })).map(([d, suffix]) => ({ ...d, [`fuzz_${suffix}`]: 1 })),
    fc.record({ task_id: fc.oneof(fc.string(), fc.uuid(), fc.integer()), match_id: value, attempt: value, fuzz_unknown: value }),
  )
  .filter((d) => !hasPrototypeKeyBelowTop(d));

/** `mp-attempt` of every type an AMQP header can carry, most of them wrong. */
const attemptHeader = fc.oneof(
  fc.constantFrom(-1, 0, 1.5, 2 ** 40, Number.MAX_SAFE_INTEGER, -(2 ** 31), '2', 'abc', '', '1e400', true, false, null, { a: 1 }, [1, 2], 'NaN'),
  fc.integer(),
  fc.string({ maxLength: 10 }),
);

interface Envelope {
  kind: string;
  content: Buffer;
}

const envelope: fc.Arbitrary<Envelope> = fc.oneof(
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => ({ kind: 'not JSON', content: Buffer.concat([Buffer.from('\u0001'), Buffer.from(b)]) })) },
  { weight: 1, arbitrary: fc.string({ maxLength: 60 }).map((s) => ({ kind: 'not JSON text', content: Buffer.from(`{${s}`) })) },
  {
    weight: 2,
    arbitrary: fc.oneof(value, fc.record({ data: value }), fc.record({ id: fc.uuid(), data: value })).map((v) => ({ kind: 'JSON without pattern', content: Buffer.from(JSON.stringify(v)) })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({ pattern: fc.oneof(fc.string().filter((p) => !ALL_PATTERNS.includes(p)), fc.integer(), fc.constant(null), fc.record({ cmd: fc.string() })), data: value, id: fc.option(fc.uuid()) })
      .map((p) => ({ kind: 'unknown pattern', content: Buffer.from(JSON.stringify(p.id === null ? { pattern: p.pattern, data: p.data } : p)) })),
  },
);

export function laneCase(lane: Lane): fc.Arbitrary<BrokerCase> {
  const own: fc.Arbitrary<Envelope> = fc
    .record({ pattern: fc.constantFrom(...OWN_PATTERNS[lane]), data: invalidData, id: fc.option(fc.uuid(), { freq: 2 }) })
    .map((p) => ({ kind: `${p.pattern} with a wrong payload`, content: Buffer.from(JSON.stringify(p.id === null ? { pattern: p.pattern, data: p.data } : p)) }));
  const otherLane: fc.Arbitrary<Envelope> = fc
    .record({ pattern: fc.constantFrom(...ALL_PATTERNS.filter((p) => !OWN_PATTERNS[lane].includes(p))), data: invalidData })
    .map((p) => ({ kind: `${p.pattern} on the wrong queue`, content: Buffer.from(JSON.stringify(p)) }));
  const huge: fc.Arbitrary<Envelope> = fc.integer({ min: 1, max: 3 }).map((mb) => ({
    kind: `${mb} MB body`,
    content: Buffer.from(JSON.stringify({ pattern: OWN_PATTERNS[lane][0], data: { match_id: 1, fuzz_pad: 'x'.repeat(mb * 1024 * 1024) } })),
  }));
  return fc.record({
    env: fc.oneof({ weight: 6, arbitrary: envelope }, { weight: 6, arbitrary: own }, { weight: 2, arbitrary: otherLane }, { weight: 1, arbitrary: huge }),
    attempt: fc.option(attemptHeader, { freq: 2 }),
    junkHeaders: fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }).filter((k) => !k.startsWith('x-')), fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean()), { maxKeys: 3 }),
    replyTo: fc.boolean(),
    contentType: fc.option(fc.constantFrom('application/json', 'text/plain', 'application/octet-stream', ''), { nil: undefined }),
  }).map(({ env, attempt, junkHeaders, replyTo, contentType }) => ({
    kind: env.kind,
    content: env.content,
    headers: { ...junkHeaders, ...(attempt === null ? {} : { 'mp-attempt': attempt }) },
    replyTo,
    contentType,
  }));
}
