import type { TaskView } from '@app/contracts';

/** A notice about one task: the record `results` wrote, when the notice carried it. */
export interface TaskNotice {
  taskId: string;
  record?: TaskView;
}

/** One held long-poll's subscription to its task's settled notices. */
export interface SettlementWatch {
  /**
   * Resolves when a settled notice for the task arrives (or arrived since the last call), after `timeoutMs`, or
   * when `signal` aborts; true only for a notice.
   */
  next(timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
  /** The record the latest notice carried (undefined when it carried none). */
  latest(): TaskView | undefined;
  /** Stops watching; idempotent. */
  cancel(): void;
}

interface Watcher {
  notified: boolean;
  wake: (() => void) | undefined;
  record: TaskView | undefined;
}

/**
 * The long-polls a gateway holds, by task id, and who to wake when a task settles. Pure bookkeeping (no broker,
 * no clock but timers), bounded by `max` so a flood of waiting clients cannot grow it without end.
 */
export class SettlementWaiters {
  private readonly byTask = new Map<string, Set<Watcher>>();
  private count = 0;

  constructor(private readonly max: number) {}

  get size(): number {
    return this.count;
  }

  /** Registers interest in `taskId`; null when `max` watches are already held (the caller then does not wait). */
  watch(taskId: string): SettlementWatch | null {
    if (this.count >= this.max) return null;
    const watcher: Watcher = { notified: false, wake: undefined, record: undefined };
    let set = this.byTask.get(taskId);
    if (!set) this.byTask.set(taskId, (set = new Set()));
    set.add(watcher);
    this.count++;
    let cancelled = false;
    return {
      next: (timeoutMs, signal) => this.next(watcher, timeoutMs, signal),
      latest: () => watcher.record,
      cancel: () => {
        if (cancelled) return;
        cancelled = true;
        this.count--;
        set.delete(watcher);
        if (set.size === 0 && this.byTask.get(taskId) === set) this.byTask.delete(taskId);
        watcher.wake?.();
      },
    };
  }

  /** Wakes every watch of these tasks, handing each the notice's record; returns how many were woken. */
  settle(notices: Iterable<TaskNotice>): number {
    let woken = 0;
    for (const { taskId, record } of notices) {
      const set = this.byTask.get(taskId);
      if (!set) continue;
      for (const watcher of set) {
        watcher.notified = true;
        watcher.record = record;
        watcher.wake?.();
        woken++;
      }
    }
    return woken;
  }

  private next(watcher: Watcher, timeoutMs: number, signal: AbortSignal | undefined): Promise<boolean> {
    if (watcher.notified || signal?.aborted) return Promise.resolve(consume(watcher));
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        watcher.wake = undefined;
        resolve(consume(watcher));
      };
      const timer = setTimeout(done, timeoutMs);
      signal?.addEventListener('abort', done, { once: true });
      watcher.wake = done;
    });
  }
}

function consume(watcher: Watcher): boolean {
  const notified = watcher.notified;
  watcher.notified = false;
  return notified;
}
