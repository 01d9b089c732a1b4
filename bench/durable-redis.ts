// A private Redis that fsyncs every write before answering it, for row 5's durable BullMQ peer: the suite's
// 202 waits for a quorum queue's fsync, and the peer's Redis on this machine persists nothing, so the bench also
// measures the peer with the same promise. Thrown away whole afterwards (its directory with it).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DurableRedis {
  url: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

/** How long `redis-server` may take to say it accepts connections. */
const READY_TIMEOUT_MS = 10_000;

/**
 * Starts `redis-server` on 127.0.0.1:`port` with an append-only file synced on every write
 * (`appendfsync always`; Redis syncs once per event-loop turn, so writes that arrive together share one fsync,
 * as a quorum queue's confirms share one WAL fsync). Rejects when the binary is missing or it does not start.
 */
export async function startDurableRedis(port: number): Promise<DurableRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    await ready(child);
  } catch (error) {
    await stop(child);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    pid: child.pid,
    stop: async () => {
      await stop(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function ready(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start within ${READY_TIMEOUT_MS} ms: ${output}`)), READY_TIMEOUT_MS);
    // Both streams stay drained for the server's life (a full pipe would block it) and feed the error message.
    const take = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited ${code}: ${output}`));
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
