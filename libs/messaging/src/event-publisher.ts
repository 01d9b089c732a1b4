import type { ClientRMQ } from '@nestjs/microservices';
import { RmqRecordBuilder } from '@nestjs/microservices';
import type { EventMap, EventPatternName } from '@app/contracts';
import { lastValueFrom, throwError, timeout } from 'rxjs';
import { BrokerUnavailableError } from './broker-unavailable.error.js';

export interface PublishOptions {
  messageId?: string;
  headers?: Record<string, string>;
  /** Give up waiting for the broker's confirm after this long. */
  confirmTimeoutMs?: number;
}

/** Typed, persistent publish that resolves only once the broker has confirmed the message. */
export class EventPublisher {
  constructor(
    private readonly client: ClientRMQ,
    private readonly defaultConfirmTimeoutMs = 5000,
  ) {}

  async publish<P extends EventPatternName>(pattern: P, payload: EventMap[P], options: PublishOptions = {}): Promise<void> {
    const confirmTimeoutMs = options.confirmTimeoutMs ?? this.defaultConfirmTimeoutMs;
    const record = new RmqRecordBuilder(payload)
      .setOptions({
        persistent: true,
        ...(options.messageId ? { messageId: options.messageId } : {}),
        ...(options.headers ? { headers: options.headers } : {}),
      })
      .build();
    try {
      await lastValueFrom(
        this.client.emit(pattern, record).pipe(
          timeout({ first: confirmTimeoutMs, with: () => throwError(() => new Error(`no broker confirm within ${confirmTimeoutMs} ms`)) }),
        ),
        { defaultValue: undefined },
      );
    } catch (error) {
      throw BrokerUnavailableError.from(error);
    }
  }
}
