import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildTopology, logicalQueueName, namedQueues, retryDelays, topologyNames } from './topology.js';

describe('buildTopology', () => {
  const topology = buildTopology({ prefix: 'p.', retryDelaysMs: [1000, 2000] });

  it('prefixes every queue and exchange', () => {
    const { queues, exchanges } = topologyNames(topology);
    assert.ok([...queues, ...exchanges].every((n) => n.startsWith('p.')));
    assert.equal(topology.queues.work, 'p.ml');
  });

  it('counts attempts as retries + 1 and maps each failed attempt to its delay queue', () => {
    assert.equal(topology.maxAttempts, 3);
    assert.equal(topology.retryQueueFor(1)?.name, 'p.ml.retry.1000ms');
    assert.equal(topology.retryQueueFor(2)?.name, 'p.ml.retry.2000ms');
    assert.equal(topology.retryQueueFor(3), null);
  });

  it('makes retry queues dead-letter back to the work queue after their TTL', () => {
    const args = (topology.retryQueueFor(1)?.options.arguments ?? {}) as Record<string, unknown>;
    assert.equal(topology.retryQueueFor(1)?.delayMs, 1000);
    assert.equal(args['x-message-ttl'], 1000);
    assert.equal(args['x-dead-letter-exchange'], '');
    assert.equal(args['x-dead-letter-routing-key'], 'p.ml');
  });

  it('declares the work queue as quorum with a delivery limit and the dead-letter exchange', () => {
    const work = topology.declarations.find((d) => d.name === 'p.ml');
    assert.deepEqual(work?.options.arguments, { 'x-queue-type': 'quorum', 'x-delivery-limit': 5, 'x-dead-letter-exchange': 'p.ml.dlx' });
  });

  it('shares one retry queue between attempts with the same delay', () => {
    const flat = buildTopology({ prefix: '', retryDelaysMs: [500, 500, 500] });
    assert.equal(flat.retryQueues.length, 1);
    assert.equal(flat.maxAttempts, 4);
    assert.equal(flat.retryQueueFor(3)?.name, 'ml.retry.500ms');
  });
});

describe('events topology', () => {
  it('parks invalid events in results.events.dlq instead of dropping them', () => {
    const t = buildTopology({ prefix: 'p.', retryDelaysMs: [] });
    const events = t.declarations.find((d) => d.name === t.queues.events);
    assert.equal((events?.options.arguments as Record<string, unknown>)['x-dead-letter-exchange'], 'p.results.dlx');
    assert.ok(t.declarations.some((d) => d.name === 'p.results.events.dlq'));
  });
});

describe('queue names for monitoring', () => {
  it('names every queue by its logical name, without the prefix', () => {
    const t = buildTopology({ prefix: 'tenant.a.', retryDelaysMs: [2000, 4000] });
    assert.deepEqual(
      namedQueues(t).map((q) => q.queue),
      ['ml', 'ml.interactive', 'ml.dlq', 'results.events', 'results.events.dlq', 'results.dead-letters', 'results.rpc', 'ml.retry.2000ms', 'ml.retry.4000ms'],
    );
    assert.ok(namedQueues(t).every((q) => q.name === `tenant.a.${q.queue}`));
  });

  it('leaves names alone without a prefix, or when they do not carry it', () => {
    assert.equal(logicalQueueName({ prefix: '' }, 'ml'), 'ml');
    assert.equal(logicalQueueName({ prefix: 'p.' }, 'p.ml.dlq'), 'ml.dlq');
    assert.equal(logicalQueueName({ prefix: 'p.' }, 'other.ml'), 'other.ml');
  });

  it('derives the retry delays from attempts and the first delay, doubling', () => {
    assert.deepEqual(retryDelays(3, 2000), [2000, 4000]);
    assert.deepEqual(retryDelays(1, 2000), []);
    assert.deepEqual(retryDelays(4, 0), [0, 0, 0]);
  });
});

describe('notice fanouts', () => {
  it('are declared, prefixed and cleaned up with the rest', () => {
    const t = buildTopology({ prefix: 'p.', retryDelaysMs: [] });
    assert.equal(t.presenceExchange, 'p.predictors.presence');
    assert.equal(t.settledExchange, 'p.tasks.settled');
    assert.ok(topologyNames(t).exchanges.includes('p.predictors.presence'));
    assert.ok(topologyNames(t).exchanges.includes('p.tasks.settled'));
  });
});
