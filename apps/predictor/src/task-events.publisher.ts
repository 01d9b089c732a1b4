import type { OnApplicationShutdown } from '@nestjs/common';
import type { EventMap, EventPatternName } from '@app/contracts';
import { EventPublisher } from '@app/messaging';

/** Confirmed publisher of task lifecycle events to the `results.events` queue. */
export class TaskEventsPublisher implements OnApplicationShutdown {
  constructor(private readonly publisher: EventPublisher) {}

  /** After the consumers' `beforeApplicationShutdown`, whose last outcomes it still publishes. */
  async onApplicationShutdown(): Promise<void> {
    await this.publisher.close();
  }

  publish<P extends EventPatternName>(pattern: P, payload: EventMap[P], messageId: string): Promise<void> {
    return this.publisher.publish(pattern, payload, { messageId });
  }
}
