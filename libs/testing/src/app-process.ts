import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait-for.js';

export type AppName = 'api-gateway' | 'predictor' | 'results';

/** One app running as its own OS process, from the compiled build, as in production. */
export class AppProcess {
  private child: ChildProcess | undefined;
  private output: string[] = [];
  private stdoutLines: string[] = [];
  private stdoutPartial = '';

  constructor(
    readonly app: AppName,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  /** The running process's pid (benchmarks read its CPU time), undefined before start. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the process and waits until `/health/ready` answers 200. */
  async start(readyTimeoutMs = 60_000): Promise<void> {
    this.output = [];
    this.stdoutLines = [];
    this.stdoutPartial = '';
    // A multi-byte character split across two chunks must not become two broken ones.
    const decoder = new StringDecoder('utf8');
    // The apps of the same build as this file (<out>/libs/testing/src/ → <out>/apps/<app>/src/main.js).
    const main = fileURLToPath(new URL(`../../../apps/${this.app}/src/main.js`, import.meta.url));
    const child = spawn(process.execPath, ['--enable-source-maps', main], {
      env: { ...process.env, ...this.env, HTTP_PORT: String(this.port), HTTP_HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (chunk: Buffer) => {
      this.output.push(chunk.toString());
      if (this.output.length > 400) this.output.splice(0, 100);
    };
    child.stdout?.on('data', (chunk: Buffer) => {
      keep(chunk);
      this.keepStdoutLines(decoder.write(chunk));
    });
    child.stderr?.on('data', keep);
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code, signal) => reject(new Error(`${this.app} exited (${signal ?? code}) before it was ready`))),
    );
    exited.catch(() => undefined);
    const ready = waitFor(
      async () => {
        const res = await fetch(`${this.baseUrl}/health/ready`).catch(() => undefined);
        return res?.status === 200 ? true : undefined;
      },
      readyTimeoutMs,
      `${this.app} to be ready`,
      100,
    );
    await Promise.race([ready, exited]).catch((error: unknown) => {
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- ${this.app} output ---\n${this.logs()}`);
    });
  }

  /**
   * SIGTERM (graceful) or SIGKILL, and waits for the exit. `forced` tells whether a graceful stop had to be
   * finished with SIGKILL after `graceMs`.
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number; forced: boolean }> {
    const child = this.child;
    const started = Date.now();
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      return { code: child?.exitCode ?? null, signal: child?.signalCode ?? null, ms: 0, forced: false };
    }
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, sig) => resolve({ code, signal: sig })),
    );
    child.kill(signal);
    let forced = false;
    const timer = setTimeout(() => {
      forced = true;
      child.kill('SIGKILL');
    }, graceMs);
    const result = await exited;
    clearTimeout(timer);
    return { ...result, ms: Date.now() - started, forced };
  }

  isRunning(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  logs(): string {
    return this.output.join('');
  }

  /** The complete lines the process wrote to stdout (its log lines) since the last start, at most the last 5000. */
  stdout(): string[] {
    return [...this.stdoutLines];
  }

  private keepStdoutLines(text: string): void {
    const parts = (this.stdoutPartial + text).split('\n');
    this.stdoutPartial = parts.pop() ?? '';
    this.stdoutLines.push(...parts.filter((line) => line !== ''));
    if (this.stdoutLines.length > 5000) this.stdoutLines.splice(0, this.stdoutLines.length - 5000);
  }
}

/**
 * A port for a test process: random below Linux's ephemeral range (32768+), where outgoing connections take
 * their local ports, distinct per call within one test process, and not one something already listens on
 * (RabbitMQ's distribution port, 25672, is in this range).
 */
let nextPort = 20_000 + Math.floor(Math.random() * 10_000);
export function testPort(): number {
  const taken = listeningPorts();
  do {
    nextPort += 1 + Math.floor(Math.random() * 7);
    if (nextPort >= 32_000) nextPort = 20_000 + Math.floor(Math.random() * 1000);
  } while (taken.has(nextPort));
  return nextPort;
}

/** TCP ports in the LISTEN state on this machine (Linux's /proc/net/tcp*); empty where that cannot be read. */
function listeningPorts(): Set<number> {
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state === '0A' && local) ports.add(parseInt(local.slice(local.lastIndexOf(':') + 1), 16));
    }
  }
  return ports;
}
