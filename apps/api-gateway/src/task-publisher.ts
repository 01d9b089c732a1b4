import { Inject, Injectable } from '@nestjs/common';
import { isValidCorrelationId, Patterns, TASK_BUNDLE_MAX_TASKS, type BundledTask } from '@app/contracts';
import { correlationHeaders, EventPublisher, GroupCommit } from '@app/messaging';
import { GATEWAY_CONFIG, GatewayConfig } from './gateway.config.js';
import { TASK_PUBLISHER } from './gateway.transports.js';

/**
 * Puts accepted tasks on the `ml` work queue (ADR 0012). The tasks accepted in one turn of the event loop (the
 * submissions one create batch answered) go out as one persistent, confirmed `prediction.task-bundle.v1`; a
 * task alone goes out as the single `prediction.task.v1` it always was. Every task's promise resolves with the
 * broker's confirm of the message that carries it, or rejects with its failure.
 */
@Injectable()
export class TaskPublisher {
  private readonly messages: GroupCommit<BundledTask, true>;

  constructor(
    @Inject(TASK_PUBLISHER) private readonly events: EventPublisher,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {
    this.messages = new GroupCommit(
      async (tasks) => {
        await this.publish(tasks);
        return tasks.map(() => true as const);
      },
      // Two messages awaiting their confirms at once: the confirms of a quorum queue come in batches, and the
      // tasks accepted meanwhile gather into the next bundle (fewer, larger bundles; measured in session 7).
      { maxBatch: TASK_BUNDLE_MAX_TASKS, maxInFlight: 2, gatherTick: true },
    );
  }

  /** Resolves once the broker has confirmed the message that carries the task. */
  async enqueue(task: { task_id: string; match_id: number; features?: BundledTask['features']; correlation_id?: string }): Promise<void> {
    const { correlation_id, ...data } = task;
    await this.messages.submit(isValidCorrelationId(correlation_id) ? { ...data, correlation_id } : data);
  }

  private publish(tasks: BundledTask[]): Promise<void> {
    const confirmTimeoutMs = this.config.PUBLISH_CONFIRM_TIMEOUT_MS;
    if (tasks.length === 1) {
      const { correlation_id, ...data } = tasks[0]!;
      return this.events.publish(Patterns.predictTask, data, { messageId: data.task_id, confirmTimeoutMs, headers: correlationHeaders(correlation_id) });
    }
    return this.events.publish(Patterns.predictTaskBundle, { tasks }, { messageId: `bundle:${tasks[0]!.task_id}:${tasks.length}`, confirmTimeoutMs });
  }
}
