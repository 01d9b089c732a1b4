import amqp, { type AmqpConnectionManager } from 'amqp-connection-manager';
import { socketOptions, type BrokerOptions } from './rmq-transport.factory.js';
import { coalesceWritesOnConnect } from './socket-write-coalescing.js';

/**
 * A self-reconnecting AMQP connection with the suite's socket options (Nagle off, heartbeat, reconnect delay),
 * for the connections Nest's transport does not make: topology management, queue inspection, presence.
 */
export function connectBroker(broker: BrokerOptions): AmqpConnectionManager {
  const socket = socketOptions(broker);
  const connection = amqp.connect([broker.url], {
    connectionOptions: socket?.connectionOptions,
    heartbeatIntervalInSeconds: socket?.heartbeatIntervalInSeconds,
    reconnectTimeInSeconds: socket?.reconnectTimeInSeconds,
  });
  // The manager emits 'error' only as information while it reconnects; without a listener Node would throw.
  connection.on('connectFailed', () => undefined);
  coalesceWritesOnConnect(connection);
  return connection;
}
