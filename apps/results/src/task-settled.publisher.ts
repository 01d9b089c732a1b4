import { Injectable } from '@nestjs/common';
import { Patterns, TASK_SETTLED_MAX_TASKS, type SettledState, type SettledTask } from '@app/contracts';
import { BrokerTopology, encodeEvent } from '@app/messaging';
import { AppLogger } from '@app/platform';

/** A notice older than this is worth nothing: the waiting gateway has rechecked by then. */
const NOTICE_EXPIRATION_MS = 10_000;

/**
 * Tells every gateway which tasks just reached success or failure (`task.settled.v1` on the `tasks.settled`
 * fanout), so that status long-polls answer at once. The tasks noted in one turn of the event loop (a whole
 * predictor batch: its writes resolve together) go out as one notice.
 *
 * Best effort by design: the notice is sent after the state is in Redis and is never awaited by anything; a
 * lost one only means a waiting gateway finds the task at its next recheck (`STATUS_WAIT_RECHECK_MS`).
 */
@Injectable()
export class TaskSettledPublisher {
  private readonly log = AppLogger.for(TaskSettledPublisher.name);
  private pending: SettledTask[] = [];
  private flushScheduled = false;
  private lastError: string | undefined;

  constructor(private readonly broker: BrokerTopology) {}

  note(taskId: string, status: SettledState): void {
    this.pending.push({ task_id: taskId, status });
    if (this.pending.length >= TASK_SETTLED_MAX_TASKS) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    const tasks = this.pending;
    this.pending = [];
    // While the broker is away a notice would only be queued and arrive stale; the waiters' rechecks cover it.
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
