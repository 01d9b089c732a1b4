import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskState, TaskView } from '@app/contracts';
import { TaskViewCache } from './task-view-cache.js';

const view = (task_id: string, status: TaskState, attempts = 1): TaskView => ({ task_id, status, match_id: 1, attempts, submitted_at: 's', updated_at: `${status}/${attempts}` });

/** A cache on a clock the test moves. */
function cache(options: Partial<{ maxTasks: number; freshMs: number; keepMs: number }> = {}) {
  let now = 0;
  const views = new TaskViewCache({ maxTasks: 10, freshMs: 100, keepMs: 10_000, ...options }, () => now);
  return { views, advance: (ms: number) => void (now += ms) };
}

describe('TaskViewCache', () => {
  it('follows only the tasks it tracks', () => {
    const { views } = cache();
    views.update(view('a', 'success'));
    assert.equal(views.get('a'), undefined);
    views.track(view('a', 'pending', 0));
    views.update(view('a', 'started'));
    assert.deepEqual(views.get('a'), view('a', 'started'));
  });

  it('never lets an older view replace a newer one, whatever order they arrive in', () => {
    const { views } = cache();
    views.track(view('a', 'pending', 0));
    views.update(view('a', 'retry', 1));
    views.update(view('a', 'started', 1));
    assert.equal(views.get('a')?.status, 'retry');
    views.update(view('a', 'started', 2));
    views.update(view('a', 'failure', 2));
    views.update(view('a', 'retry', 3));
    assert.equal(views.get('a')?.status, 'failure', 'a terminal view is final');
  });

  it('answers a view for freshMs after it was last confirmed, and follows the task for keepMs', () => {
    const { views, advance } = cache();
    views.track(view('a', 'pending', 0));
    advance(100);
    assert.equal(views.get('a')?.status, 'pending');
    advance(1);
    assert.equal(views.get('a'), undefined, 'may be stale now');
    views.update(view('a', 'pending', 0));
    assert.equal(views.get('a')?.status, 'pending', 'confirmed again');
    views.update(view('a', 'success'));
    advance(101);
    assert.equal(views.get('a'), undefined, 'a final view too: the store may have lost it since');
    advance(9_000);
    views.update(view('a', 'success'));
    assert.equal(views.get('a')?.status, 'success', 'still followed: a read confirms it again');
    advance(800);
    assert.equal(views.get('a'), undefined, 'no longer followed past keepMs');
    views.update(view('a', 'success'));
    assert.equal(views.get('a'), undefined);
  });

  it('drops the oldest task past maxTasks, and tracks nothing when maxTasks is 0', () => {
    const { views } = cache({ maxTasks: 2 });
    for (const id of ['a', 'b', 'c']) views.track(view(id, 'pending', 0));
    assert.equal(views.size, 2);
    assert.equal(views.get('a'), undefined);
    assert.equal(views.get('c')?.status, 'pending');
    const off = cache({ maxTasks: 0 }).views;
    off.track(view('a', 'pending', 0));
    assert.equal(off.size, 0);
  });

  it('drops tasks past keepMs as new ones arrive, and on forget or clear', () => {
    const { views, advance } = cache();
    views.track(view('a', 'pending', 0));
    advance(10_001);
    views.track(view('b', 'pending', 0));
    assert.equal(views.size, 1);
    views.forget('b');
    views.track(view('c', 'pending', 0));
    views.clear();
    assert.equal(views.size, 0);
  });
});
