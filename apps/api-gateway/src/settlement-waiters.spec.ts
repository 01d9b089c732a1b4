import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskView } from '@app/contracts';
import { SettlementWaiters, type TaskNotice } from './settlement-waiters.js';

const notices = (...ids: string[]): TaskNotice[] => ids.map((taskId) => ({ taskId }));

describe('SettlementWaiters', () => {
  it('wakes every watch of a settled task, and only those', async () => {
    const waiters = new SettlementWaiters(10);
    const a1 = waiters.watch('a')!;
    const a2 = waiters.watch('a')!;
    const b = waiters.watch('b')!;
    const pending = [a1.next(5000), a2.next(5000)];
    assert.equal(waiters.settle(notices('a', 'zzz')), 2);
    assert.deepEqual(await Promise.all(pending), [true, true]);
    assert.equal(await b.next(10), false, 'b timed out, not woken');
    for (const w of [a1, a2, b]) w.cancel();
    assert.equal(waiters.size, 0);
  });

  it('keeps a notice that lands before next() is called', async () => {
    const waiters = new SettlementWaiters(10);
    const watch = waiters.watch('a')!;
    waiters.settle(notices('a'));
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
    assert.equal(waiters.settle(notices('a')), 0, 'nothing left to wake');
  });

  it("hands each woken watch the record its notice carried, or none", async () => {
    const waiters = new SettlementWaiters(10);
    const watch = waiters.watch('a')!;
    const record: TaskView = { task_id: 'a', status: 'success', match_id: 1, attempts: 1, submitted_at: 's', updated_at: 'u' };
    waiters.settle([{ taskId: 'a', record }]);
    assert.equal(await watch.next(5000), true);
    assert.deepEqual(watch.latest(), record);
    waiters.settle(notices('a'));
    assert.equal(await watch.next(5000), true);
    assert.equal(watch.latest(), undefined, 'a notice without a record clears the previous one');
    watch.cancel();
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
