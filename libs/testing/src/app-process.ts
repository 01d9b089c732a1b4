import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait-for.js';

export type AppName = 'api-gateway' | 'predictor' | 'results';

/** One app running as its own OS process, from the compiled build, as in production. */
export class AppProcess {
  private child: ChildProcess | undefined;
  private output: string[] = [];

  constructor(
    readonly app: AppName,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the process and waits until `/health/ready` answers 200. */
  async start(readyTimeoutMs = 60_000): Promise<void> {
    this.output = [];
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
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`${this.app} exited with ${child.exitCode}:\n${this.logs()}`);
        const res = await fetch(`${this.baseUrl}/health/ready`).catch(() => undefined);
        return res?.status === 200 ? true : undefined;
      },
      readyTimeoutMs,
      `${this.app} to be ready`,
      100,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\n--- ${this.app} output ---\n${this.logs()}`);
    });
  }

  /** SIGTERM (graceful) or SIGKILL, and waits for the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  }

  isRunning(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  logs(): string {
    return this.output.join('');
  }
}

/** A free-enough port for a test process: random in a high range, distinct per call. */
let nextPort = 20_000 + Math.floor(Math.random() * 20_000);
export function testPort(): number {
  nextPort += 1 + Math.floor(Math.random() * 7);
  return nextPort;
}
