import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeLoads, percentile, summarize, type LoadResult } from './load-result.js';

/** One block as the load generator reports it, with its latencies kept (as mergeLoads needs). */
function block(latencies: number[], elapsedMs: number, extra: Partial<LoadResult> = {}): LoadResult {
  return { ...summarize([...latencies], { success: latencies.length }, latencies.length, elapsedMs), ...extra };
}

describe('bench load results', () => {
  it('takes percentiles by nearest rank: the smallest value with at least p% of the values at or below it', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(hundred, 50), 50);
    assert.equal(percentile(hundred, 99), 99);
    assert.equal(percentile(hundred, 100), 100);
    assert.equal(percentile([7], 50), 7);
    assert.equal(percentile([1, 2, 3], 0), 1);
    assert.ok(Number.isNaN(percentile([], 50)));
  });

  it('summarizes one run: rate from count and elapsed time, percentiles over its sorted latencies', () => {
    const result = summarize([30, 10, 20, 40], { success: 3, 'http 503': 1 }, 3, 2000);
    assert.equal(result.done, 4);
    assert.equal(result.ok, 3);
    assert.equal(result.perSecond, 2);
    assert.equal(result.p50Ms, 20);
    assert.equal(result.p99Ms, 40);
    assert.equal(result.maxMs, 40);
    assert.deepEqual(result.latenciesMs, [10, 20, 30, 40]);
  });

  it('merges alternating blocks as one run: counts and times added, percentiles over every latency of every block', () => {
    // The slow block alone has p50 100 and the fast one p50 1; pooled, half of all latencies are at most 2.
    const fast = block([1, 1, 2, 2], 1000, { cpuSeconds: 0.5, statusRequests: 5, submitLatenciesMs: [3, 1] });
    const slow = block([100, 100, 100, 100], 3000, { cpuSeconds: 0.25, statusRequests: 4, submitLatenciesMs: [2] });
    const merged = mergeLoads([fast, slow]);
    assert.equal(merged.done, 8);
    assert.equal(merged.ok, 8);
    assert.equal(merged.elapsedMs, 4000);
    assert.equal(merged.perSecond, 2);
    assert.equal(merged.p50Ms, 2);
    assert.equal(merged.p99Ms, 100);
    assert.deepEqual(merged.statuses, { success: 8 });
    assert.equal(merged.cpuSeconds, 0.75);
    assert.equal(merged.statusRequests, 9);
    assert.deepEqual(merged.submitLatenciesMs, [1, 2, 3]);
  });

  it('leaves out what no block counted, rather than reporting zero', () => {
    const merged = mergeLoads([block([5], 100), block([6], 100)]);
    assert.equal(merged.statusRequests, undefined);
    assert.equal(merged.submitLatenciesMs, undefined);
  });

  it('refuses a block without its latencies: its percentiles could not be pooled', () => {
    const { latenciesMs: _dropped, ...withoutLatencies } = block([5], 100);
    assert.throws(() => mergeLoads([block([4], 100), withoutLatencies]), /needs the latencies of every part/);
  });
});
