import { ClientRMQ } from '@nestjs/microservices';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { coalesceWritesOnConnect } from './socket-write-coalescing.js';

/** Nest's RMQ client whose connection sends a turn's frames (requests, publishes) in one write. */
export class WriteCoalescingClientRMQ extends ClientRMQ {
  override createClient(): AmqpConnectionManager {
    // Nest's declaration of the return type resolves to `any` here; it is amqp-connection-manager's manager.
    const manager = super.createClient() as unknown as AmqpConnectionManager;
    coalesceWritesOnConnect(manager);
    return manager;
  }
}
