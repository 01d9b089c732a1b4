import type { EventMap, EventPatternName } from '@app/contracts';
import { EventPublisher } from '@app/messaging';

/** Confirmed publisher of task lifecycle events to the `results.events` queue. */
export class TaskEventsPublisher {
  constructor(private readonly publisher: EventPublisher) {}

  publish<P extends EventPatternName>(pattern: P, payload: EventMap[P], messageId: string): Promise<void> {
    return this.publisher.publish(pattern, payload, { messageId });
  }
}
