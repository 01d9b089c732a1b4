import { TERMINAL_STATES, type TaskState, type TaskView } from '@app/contracts';

export interface TaskViewCacheOptions {
  /** Most tasks followed at once; past it the oldest is dropped. 0 turns the cache off. */
  maxTasks: number;
  /** How long a view is answered without news of the task (a notice or a status read). */
  freshMs: number;
  /** How long a task is followed after it was accepted: its views are taken in, and it can be answered again. */
  keepMs: number;
}

/** How long a gateway follows a task it accepted: longer than most clients poll one. */
export const STATUS_CACHE_KEEP_MS = 10 * 60_000;

interface Entry {
  view: TaskView;
  /** When this view was last known to be current: the create reply, a notice or a status read. */
  learnedAt: number;
  acceptedAt: number;
}

const RANK: Record<TaskState, number> = { pending: 0, started: 1, retry: 2, success: 3, failure: 3 };

/**
 * Where a view stands in the task's life, as `results` orders its writes (attempt * 10 + rank; terminal above
 * all): a view never replaces a later one, whatever order two notices arrive in.
 */
function progress(view: TaskView): number {
  return TERMINAL_STATES.has(view.status) ? Number.POSITIVE_INFINITY : view.attempts * 10 + RANK[view.status];
}

/**
 * The tasks this gateway accepted lately, as `results` last reported them (ADR 0011), so that a status read of
 * one needs no round trip to `results`. A task enters with its pending view from the create reply and follows
 * the records of `task.settled.v1` notices (every change `results` writes) and of status reads. Pure
 * bookkeeping: the caller decides whether notices are flowing (when they are not, it must not ask).
 *
 * A view is answered for `freshMs` after it was last confirmed, and is then read from `results` again (which
 * confirms it anew). `results` sends news of every change it writes, so this only bounds what a lost notice, a
 * Redis outage or lost keys can cost: a read that reflects the task as it was up to `freshMs` ago. A polling
 * client is answered here from its 202 to its result (the result's notice confirms it), and a task pending
 * behind a backlog costs `results` one read per `freshMs` however often it is polled.
 */
export class TaskViewCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly options: TaskViewCacheOptions,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Starts following a task this gateway has just created (its pending view). */
  track(view: TaskView): void {
    if (this.options.maxTasks <= 0) return;
    const now = this.now();
    this.entries.delete(view.task_id);
    this.entries.set(view.task_id, { view, learnedAt: now, acceptedAt: now });
    this.dropOld(now);
  }

  /** A view `results` just reported; ignored for a task not followed, or older than the one held. */
  update(view: TaskView): void {
    const entry = this.entries.get(view.task_id);
    if (!entry || progress(view) < progress(entry.view)) return;
    entry.view = view;
    entry.learnedAt = this.now();
  }

  /** Stops following a task: its next read goes to `results`. */
  forget(taskId: string): void {
    this.entries.delete(taskId);
  }

  /** Forgets every task (news may have been missed). */
  clear(): void {
    this.entries.clear();
  }

  /** The view to answer with, or undefined when the task is not followed or its view may be out of date. */
  get(taskId: string): TaskView | undefined {
    const entry = this.entries.get(taskId);
    if (!entry) return undefined;
    const now = this.now();
    if (now - entry.acceptedAt > this.options.keepMs) {
      this.entries.delete(taskId);
      return undefined;
    }
    return now - entry.learnedAt <= this.options.freshMs ? entry.view : undefined;
  }

  /** Entries are kept in acceptance order: drop from the oldest while over the size or past `keepMs`. */
  private dropOld(now: number): void {
    for (const [taskId, entry] of this.entries) {
      if (this.entries.size <= this.options.maxTasks && now - entry.acceptedAt <= this.options.keepMs) return;
      this.entries.delete(taskId);
    }
  }
}
