import { Ctx, EventPattern, Payload, RmqContext } from '@nestjs/microservices';
import { Patterns } from '@app/contracts';
import type { ConsumeMessage } from 'amqplib';
import { BrokerConsumer } from '@app/messaging';
import { RESULTS_DEAD_LETTERS_TRANSPORT } from './results.transports.js';
import { TaskStateService } from './task-state.service.js';

/**
 * Copies of dead-lettered task messages (the dead-letter exchange is a fanout): each one ends its task as
 * `failure`, with the reason from our header or the broker's. The payload is whatever died, possibly
 * invalid, so only its task id is read; a copy without one is acked with nothing to mark.
 */
@BrokerConsumer()
export class DeadLetterConsumer {
  constructor(private readonly tasks: TaskStateService) {}

  // `<string>` picks the untyped overload: Nest's typed one only accepts `unknown` after the payload.
  @EventPattern<string>(Patterns.predictTask, RESULTS_DEAD_LETTERS_TRANSPORT)
  async deadLettered(@Payload() data: unknown, @Ctx() ctx: RmqContext): Promise<void> {
    const message = ctx.getMessage() as ConsumeMessage;
    await this.tasks.recordDeadLetter(data, message.properties.headers);
  }
}
