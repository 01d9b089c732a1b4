import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InferenceBatcher } from './inference-batcher.js';

type Row = Record<string, number | null>;

function recordingScorer() {
  const calls: { model: string; rows: Row[] }[] = [];
  const scorer = (model: string, rows: Row[]) => {
    calls.push({ model, rows });
    if (rows.some((r) => r.bad === 1)) throw new Error('bad row');
    return rows.map((r) => [Number(r.x ?? 0), 0, 0]);
  };
  return { calls, scorer };
}

describe('InferenceBatcher', () => {
  it('scores async rows that arrive within the window in one call', async () => {
    const { calls, scorer } = recordingScorer();
    const batcher = new InferenceBatcher({ maxSize: 64, windowMs: 20 }, scorer);
    const answers = await Promise.all([1, 2, 3].map((x) => batcher.score('m1', { x }, false)));
    assert.deepEqual(answers.map((a) => a[0]), [1, 2, 3]);
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.rows.length, 3);
  });

  it('never makes a sync row wait for the window: it takes the forming batch along at once', async () => {
    const { calls, scorer } = recordingScorer();
    const batcher = new InferenceBatcher({ maxSize: 64, windowMs: 10_000 }, scorer);
    const queued = batcher.score('m1', { x: 1 }, false);
    const started = Date.now();
    const sync = await batcher.score('m1', { x: 2 }, true);
    assert.ok(Date.now() - started < 1000);
    assert.equal(sync[0], 2);
    assert.equal((await queued)[0], 1);
    assert.equal(calls.length, 1, 'the waiting async row joined the sync one');
  });

  it('flushes as soon as a batch is full, and splits larger bursts', async () => {
    const { calls, scorer } = recordingScorer();
    const batcher = new InferenceBatcher({ maxSize: 4, windowMs: 10_000 }, scorer);
    const answers = await Promise.all(Array.from({ length: 8 }, (_, x) => batcher.score('m1', { x }, false)));
    assert.equal(answers.length, 8);
    assert.deepEqual(calls.map((c) => c.rows.length), [4, 4]);
  });

  it('with a zero window scores every row on its own', async () => {
    const { calls, scorer } = recordingScorer();
    const batcher = new InferenceBatcher({ maxSize: 64, windowMs: 0 }, scorer);
    await Promise.all([1, 2, 3].map((x) => batcher.score('m1', { x }, false)));
    assert.deepEqual(calls.map((c) => c.rows.length), [1, 1, 1]);
  });

  it('never mixes rows validated against different models in one call', async () => {
    const { calls, scorer } = recordingScorer();
    const batcher = new InferenceBatcher({ maxSize: 64, windowMs: 20 }, scorer);
    await Promise.all([batcher.score('old', { x: 1 }, false), batcher.score('new', { x: 2 }, false), batcher.score('old', { x: 3 }, false)]);
    assert.deepEqual(calls.map((c) => [c.model, c.rows.length]), [['old', 2], ['new', 1]]);
  });

  it('takes the first rows of each model in arrival order, at most maxSize per call', async () => {
    const { calls, scorer } = recordingScorer();
    const batcher = new InferenceBatcher({ maxSize: 3, windowMs: 10_000 }, scorer);
    const waiting = [batcher.score('old', { x: 1 }, false), batcher.score('new', { x: 2 }, false)];
    await Promise.all([...waiting, batcher.scoreMany('old', [{ x: 3 }, { x: 4 }, { x: 5 }])]);
    assert.deepEqual(
      calls.map((c) => [c.model, c.rows.map((r) => r.x)]),
      [
        ['old', [1, 3, 4]],
        ['new', [2]],
        ['old', [5]],
      ],
    );
  });

  it('answers the rows of an async batch in their order, each on its own, and takes waiting rows along', async () => {
    const { calls, scorer } = recordingScorer();
    const batcher = new InferenceBatcher({ maxSize: 64, windowMs: 10_000 }, scorer);
    const waiting = batcher.score('m1', { x: 9 }, false);
    const answers = await batcher.scoreMany('m1', [{ x: 1 }, { bad: 1 }, { x: 3 }]);
    assert.deepEqual(
      answers.map((a) => (a.status === 'fulfilled' ? a.value[0] : (a.reason as Error).message)),
      [1, 'bad row', 3],
    );
    assert.equal((await waiting)[0], 9);
    assert.deepEqual(calls[0]!.rows.map((r) => r.x ?? 'bad'), [9, 1, 'bad', 3], 'one call for the waiting row and the batch');
    assert.deepEqual(await batcher.scoreMany('m1', []), []);
  });

  it('fails only the bad row of a batch', async () => {
    const { scorer } = recordingScorer();
    const batcher = new InferenceBatcher({ maxSize: 64, windowMs: 20 }, scorer);
    const results = await Promise.allSettled([batcher.score('m1', { x: 1 }, false), batcher.score('m1', { bad: 1 }, false), batcher.score('m1', { x: 3 }, false)]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
  });
});
