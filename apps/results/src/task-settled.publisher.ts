import { Injectable } from '@nestjs/common';
import { Patterns, TASK_SETTLED_MAX_TASKS, type SettledTask, type TaskView } from '@app/contracts';
import { BrokerTopology, encodeEvent } from '@app/messaging';
import { AppLogger } from '@app/platform';

/** A notice older than this is worth nothing: the waiting gateway has rechecked by then. */
const NOTICE_EXPIRATION_MS = 10_000;

/**
 * Tells every gateway which tasks just changed, with the record each change left (`task.settled.v1` on the
 * `tasks.settled` fanout): a status long-poll answers at once, and a gateway's view cache (ADR 0011) follows
 * the tasks it accepted. The changes noted in one turn of the event loop (a whole predictor batch: its writes
 * resolve together) go out as one notice, with one entry per task: its latest record.
 *
 * Best effort by design: the notice is sent after the state is in Redis and is never awaited by anything; a
 * lost one only means a gateway learns the change at its next recheck through the status RPC.
 */
@Injectable()
export class TaskSettledPublisher {
  private readonly log = AppLogger.for(TaskSettledPublisher.name);
  private pending = new Map<string, SettledTask>();
  private flushScheduled = false;
  private lastError: string | undefined;

  constructor(private readonly broker: BrokerTopology) {}

  /** The task as a write just left it. */
  note(view: TaskView): void {
    this.add({ task_id: view.task_id, status: view.status, record: view });
  }

  /** A replay reopened the task: readers must ask the status RPC again (the notice carries no record). */
  reopened(taskId: string): void {
    this.add({ task_id: taskId, status: 'pending' });
  }

  private add(task: SettledTask): void {
    // Re-inserted, not updated in place: the entry goes out with the notice of the latest change.
    this.pending.delete(task.task_id);
    this.pending.set(task.task_id, task);
    if (this.pending.size >= TASK_SETTLED_MAX_TASKS) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.pending.size === 0) return;
    const tasks = [...this.pending.values()];
    this.pending = new Map();
    // While the broker is away a notice would only be queued and arrive stale; the gateways' rechecks cover it.
    if (!this.broker.isConnected()) return;
    this.broker
      .publish(this.broker.topology.settledExchange, '', encodeEvent(Patterns.taskSettled, { tasks }), {
        persistent: false,
        expiration: String(NOTICE_EXPIRATION_MS),
        contentType: 'application/json',
      })
      .then(
        () => {
          if (this.lastError !== undefined) this.log.info('settled notices published again');
          this.lastError = undefined;
        },
        (error: unknown) => {
          const text = error instanceof Error ? error.message : String(error);
          if (text !== this.lastError) this.log.warn('could not publish a settled notice', { error: text });
          this.lastError = text;
        },
      );
  }
}
