// The bench's own child processes (the raw references, the BullMQ peer, the durable peer's Redis): start one and
// wait until it says it serves, stop one for sure.
import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Spawns `command` and resolves once its stdout has printed `readyText`. Rejects when it cannot start, exits
 * first, or (with `timeoutMs`) is not ready in time, with what it printed. Both streams stay drained for the
 * child's whole life: a full pipe would block it.
 */
export async function startChild(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; readyText: string; timeoutMs?: number },
): Promise<ChildProcess> {
  const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => reject(new Error(`${command} was not ready within ${options.timeoutMs} ms: ${stdout}${stderr}`)), options.timeoutMs);
      const settle = (error?: Error): void => {
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes(options.readyText)) settle();
      });
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.once('error', (error) => settle(error));
      // 'close', not 'exit': it comes after both streams have ended, so the message has all the child printed.
      child.once('close', (code, signal) => settle(new Error(`${command} ${args.join(' ')} exited ${code ?? signal}: ${stdout}${stderr}`)));
    });
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return child;
}

/** SIGTERM, then SIGKILL if it has not exited within 5 s; nothing when it is not running. */
export async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
