import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GroupCommit } from './group-commit.js';

/** A flush whose completion the test controls. */
function controlledFlush() {
  const calls: { items: number[]; finish: (answers?: (string | Error)[]) => void; fail: (e: Error) => void }[] = [];
  const flush = (items: number[]) =>
    new Promise<(string | Error)[]>((resolve, reject) => {
      calls.push({ items, finish: (answers) => resolve(answers ?? items.map((i) => `ok ${i}`)), fail: reject });
    });
  return { calls, flush };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('GroupCommit', () => {
  it('sends a lone item at once, without waiting for company', async () => {
    const { calls, flush } = controlledFlush();
    const commit = new GroupCommit(flush, { maxBatch: 10, maxInFlight: 1 });
    const answer = commit.submit(1);
    assert.deepEqual(calls.map((c) => c.items), [[1]]);
    calls[0]!.finish();
    assert.equal(await answer, 'ok 1');
  });

  it('gathers the items that arrive while every slot is busy into the next flush, in order', async () => {
    const { calls, flush } = controlledFlush();
    const commit = new GroupCommit(flush, { maxBatch: 10, maxInFlight: 1 });
    const answers = [1, 2, 3, 4].map((i) => commit.submit(i));
    assert.deepEqual(calls.map((c) => c.items), [[1]]);
    calls[0]!.finish();
    await tick();
    assert.deepEqual(calls.map((c) => c.items), [[1], [2, 3, 4]]);
    calls[1]!.finish();
    assert.deepEqual(await Promise.all(answers), ['ok 1', 'ok 2', 'ok 3', 'ok 4']);
  });

  it('never puts more than maxBatch items in one flush, and runs up to maxInFlight flushes at once', async () => {
    const { calls, flush } = controlledFlush();
    const commit = new GroupCommit(flush, { maxBatch: 2, maxInFlight: 2 });
    const answers = [1, 2, 3, 4, 5, 6, 7].map((i) => commit.submit(i));
    assert.deepEqual(calls.map((c) => c.items), [[1], [2]]);
    calls[0]!.finish();
    calls[1]!.finish();
    await tick();
    assert.deepEqual(calls.map((c) => c.items), [[1], [2], [3, 4], [5, 6]]);
    calls[2]!.finish();
    calls[3]!.finish();
    await tick();
    calls[4]!.finish();
    assert.equal((await Promise.all(answers)).length, 7);
    assert.deepEqual(calls[4]!.items, [7]);
  });

  it('fails only the item whose answer is an error, and every item when the flush itself fails', async () => {
    const { calls, flush } = controlledFlush();
    const commit = new GroupCommit(flush, { maxBatch: 10, maxInFlight: 1 });
    const first = commit.submit(1);
    const [second, third] = [commit.submit(2), commit.submit(3)];
    calls[0]!.fail(new Error('broker away'));
    await assert.rejects(first, /broker away/);
    await tick();
    calls[1]!.finish(['fine', new Error('item 3 refused')]);
    assert.equal(await second, 'fine');
    await assert.rejects(third, /item 3 refused/);
  });

  it('with gatherTick, sends the items submitted in one turn of the event loop together', async () => {
    const { calls, flush } = controlledFlush();
    const commit = new GroupCommit(flush, { maxBatch: 10, maxInFlight: 1, gatherTick: true });
    const first = [1, 2, 3].map((i) => commit.submit(i));
    assert.equal(calls.length, 0, 'not before the turn ends');
    await tick();
    assert.deepEqual(calls.map((c) => c.items), [[1, 2, 3]]);
    const later = commit.submit(4);
    calls[0]!.finish();
    await tick();
    assert.deepEqual(calls.map((c) => c.items), [[1, 2, 3], [4]]);
    calls[1]!.finish();
    assert.deepEqual(await Promise.all([...first, later]), ['ok 1', 'ok 2', 'ok 3', 'ok 4']);
  });

  it('rejects the items a flush forgot to answer', async () => {
    const { calls, flush } = controlledFlush();
    const commit = new GroupCommit(flush, { maxBatch: 10, maxInFlight: 1 });
    const blocker = commit.submit(0);
    const [a, b] = [commit.submit(1), commit.submit(2)];
    calls[0]!.finish();
    await blocker;
    await tick();
    calls[1]!.finish(['only one']);
    assert.equal(await a, 'only one');
    await assert.rejects(b, /fewer items/);
  });
});
