import { Ctx, EventPattern, Payload, RmqContext } from '@nestjs/microservices';
import { Patterns } from '@app/contracts';
import type { ConsumeMessage } from 'amqplib';
import { BrokerConsumer, correlationIdOf, deathOf } from '@app/messaging';
import { AppLogger } from '@app/platform';
import { RESULTS_DEAD_LETTERS_TRANSPORT } from './results.transports.js';
import { readDeadLetter, TaskStateService } from './task-state.service.js';

/**
 * Copies of dead-lettered task messages (the dead-letter exchange is a fanout): each one ends its task as
 * `failure`, with the reason from our header or the broker's. The payload is whatever died, possibly
 * invalid, so only its task id is read; a copy without one is acked with nothing to mark.
 */
@BrokerConsumer()
export class DeadLetterConsumer {
  private readonly logger = AppLogger.for(DeadLetterConsumer.name);

  constructor(private readonly tasks: TaskStateService) {}

  // `<string>` picks the untyped overload: Nest's typed one only accepts `unknown` after the payload.
  @EventPattern<string>(Patterns.predictTask, RESULTS_DEAD_LETTERS_TRANSPORT)
  async deadLettered(@Payload() data: unknown, @Ctx() ctx: RmqContext): Promise<void> {
    await this.record(data, (ctx.getMessage() as ConsumeMessage).properties.headers);
  }

  /**
   * A whole bundle dead-lettered (ADR 0012: its envelope was wrong, or predictors kept dying before they could
   * split it): every task in it that has a task id ends as `failure`, for the bundle's reason.
   */
  @EventPattern<string>(Patterns.predictTaskBundle, RESULTS_DEAD_LETTERS_TRANSPORT)
  async deadLetteredBundle(@Payload() data: unknown, @Ctx() ctx: RmqContext): Promise<void> {
    const headers = (ctx.getMessage() as ConsumeMessage).properties.headers;
    const tasks = typeof data === 'object' && data !== null ? (data as { tasks?: unknown }).tasks : undefined;
    for (const task of Array.isArray(tasks) ? (tasks as unknown[]) : []) await this.record(task, headers);
  }

  private async record(data: unknown, headers: Record<string, unknown> | undefined): Promise<void> {
    await this.tasks.recordDeadLetter(data, headers);
    // A task's last line: where and why it died, to read beside the predictor's lines for the same ids.
    const dead = readDeadLetter(data, headers);
    if (dead) {
      this.logger.warn('task dead-lettered', {
        task_id: dead.taskId,
        correlation_id: correlationIdOf(headers),
        reason: dead.reason,
        attempt: dead.attempt,
        queue: deathOf(headers).queue,
        error: dead.error,
      });
    }
  }
}
