import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SettlementWaiters } from './settlement-waiters.js';

describe('SettlementWaiters', () => {
  it('wakes every watch of a settled task, and only those', async () => {
    const waiters = new SettlementWaiters(10);
    const a1 = waiters.watch('a')!;
    const a2 = waiters.watch('a')!;
    const b = waiters.watch('b')!;
    const pending = [a1.next(5000), a2.next(5000)];
    assert.equal(waiters.settle(['a', 'zzz']), 2);
    assert.deepEqual(await Promise.all(pending), [true, true]);
    assert.equal(await b.next(10), false, 'b timed out, not woken');
    for (const w of [a1, a2, b]) w.cancel();
    assert.equal(waiters.size, 0);
  });

  it('keeps a notice that lands before next() is called', async () => {
    const waiters = new SettlementWaiters(10);
    const watch = waiters.watch('a')!;
    waiters.settle(['a']);
    const started = performance.now();
    assert.equal(await watch.next(5000), true);
    assert.ok(performance.now() - started < 100);
    assert.equal(await watch.next(10), false, 'a notice is consumed once');
    watch.cancel();
  });

  it('stops waiting when the signal aborts, and counts a cancel once', async () => {
    const waiters = new SettlementWaiters(10);
    const watch = waiters.watch('a')!;
    const client = new AbortController();
    const waiting = watch.next(5000, client.signal);
    client.abort();
    assert.equal(await waiting, false);
    watch.cancel();
    watch.cancel();
    assert.equal(waiters.size, 0);
    assert.equal(waiters.settle(['a']), 0, 'nothing left to wake');
  });

  it('refuses watches past its maximum and frees a slot on cancel', () => {
    const waiters = new SettlementWaiters(2);
    const first = waiters.watch('a')!;
    assert.ok(waiters.watch('b'));
    assert.equal(waiters.watch('c'), null);
    first.cancel();
    assert.ok(waiters.watch('c'));
    assert.equal(waiters.size, 2);
  });
});
