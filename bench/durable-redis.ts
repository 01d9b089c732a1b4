// A private Redis that fsyncs every write before answering it, for row 5's durable BullMQ peer: the suite's
// 202 waits for a quorum queue's fsync, and the peer's Redis on this machine persists nothing, so the bench also
// measures the peer with the same promise. Thrown away whole afterwards (its directory with it).
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild, stopChild } from './bench-child.js';

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
  let child: ChildProcess;
  try {
    child = await startChild('redis-server', args, { readyText: 'Ready to accept connections', timeoutMs: READY_TIMEOUT_MS });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    pid: child.pid,
    stop: async () => {
      await stopChild(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
