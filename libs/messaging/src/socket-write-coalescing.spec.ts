import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, Socket, type AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { coalesceSocketWrites } from './socket-write-coalescing.js';

/** A socket stand-in that records what reaches it. */
function recorder() {
  const calls: string[] = [];
  const socket = {
    cork: () => void calls.push('cork'),
    uncork: () => void calls.push('uncork'),
    write: (chunk: unknown) => {
      calls.push(`write ${String(chunk)}`);
      return true;
    },
  } as unknown as Socket;
  return { socket, calls };
}

describe('coalesceSocketWrites', () => {
  it('corks on the first write of a turn and uncorks once the turn is over', async () => {
    const { socket, calls } = recorder();
    coalesceSocketWrites(socket);
    socket.write('a');
    socket.write('b');
    socket.write('c');
    assert.deepEqual(calls, ['cork', 'write a', 'write b', 'write c']);
    await new Promise((r) => process.nextTick(r));
    assert.deepEqual(calls.slice(4), ['uncork']);
    socket.write('d');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(calls.slice(5), ['cork', 'write d', 'uncork']);
  });

  it('wraps a socket once however often it is asked', async () => {
    const { socket, calls } = recorder();
    coalesceSocketWrites(socket);
    coalesceSocketWrites(socket);
    socket.write('a');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(calls, ['cork', 'write a', 'uncork']);
  });

  it('delivers every byte, in order, over a real socket', async () => {
    const server = createServer();
    let received = '';
    server.on('connection', (peer) => peer.on('data', (d: Buffer) => (received += d.toString())));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const client = new Socket();
    client.connect((server.address() as AddressInfo).port, '127.0.0.1');
    await once(client, 'connect');
    coalesceSocketWrites(client);
    const expected = Array.from({ length: 200 }, (_, i) => `frame-${i};`).join('');
    for (let i = 0; i < 200; i++) client.write(`frame-${i};`);
    for (let i = 0; i < 50 && received.length < expected.length; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(received, expected);
    client.destroy();
    server.close();
  });
});
