import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { waitFor } from '@app/testing';

/** A Prometheus tool (`prometheus`, `promtool`) on PATH or in /usr/bin (Debian's package), or undefined. */
export function findPrometheusTool(name: 'prometheus' | 'promtool'): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/bin'];
  for (const dir of dirs) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A free TCP port on 127.0.0.1, from the kernel. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address !== 'object') throw new Error('no port assigned');
  return address.port;
}

export interface PromSample {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
}

export type PromQueryData =
  | { resultType: 'vector' | 'matrix'; result: PromSample[] }
  | { resultType: 'scalar' | 'string'; result: [number, string] };

export interface PromRule {
  name: string;
  type: 'alerting' | 'recording';
  query: string;
  health: string;
  lastError?: string;
  lastEvaluation: string;
  state?: 'inactive' | 'pending' | 'firing';
  labels?: Record<string, string>;
}

/** A real Prometheus server of the test's own: its own port, config and data folder. */
export class PrometheusServer {
  private child: ChildProcess | undefined;
  private output: string[] = [];

  constructor(
    private readonly binary: string,
    readonly port: number,
    private readonly configFile: string,
    private readonly dataDir: string,
  ) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts it and waits for `/-/ready`. */
  async start(readyTimeoutMs = 30_000): Promise<void> {
    const child = spawn(
      this.binary,
      [
        `--config.file=${this.configFile}`,
        `--storage.tsdb.path=${this.dataDir}`,
        `--web.listen-address=127.0.0.1:${this.port}`,
        '--storage.tsdb.retention.time=1h',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    const keep = (chunk: Buffer) => {
      this.output.push(chunk.toString());
      if (this.output.length > 400) this.output.splice(0, 100);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code, signal) => reject(new Error(`prometheus exited (${signal ?? code}) before it was ready`))),
    );
    exited.catch(() => undefined);
    const ready = waitFor(
      async () => ((await fetch(`${this.baseUrl}/-/ready`).catch(() => undefined))?.status === 200 ? true : undefined),
      readyTimeoutMs,
      'prometheus to be ready',
      100,
    );
    await Promise.race([ready, exited]).catch((error: unknown) => {
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- prometheus output ---\n${this.logs()}`);
    });
  }

  /** An instant query at the current time; rejects with Prometheus's error text on a bad expression. */
  async query(expr: string): Promise<PromQueryData> {
    return this.api<PromQueryData>('/api/v1/query', new URLSearchParams({ query: expr }));
  }

  async rules(): Promise<PromRule[]> {
    const data = await this.api<{ groups: { rules: PromRule[] }[] }>('/api/v1/rules');
    return data.groups.flatMap((g) => g.rules);
  }

  async targets(): Promise<{ labels: Record<string, string>; health: string; lastError: string }[]> {
    return (await this.api<{ activeTargets: { labels: Record<string, string>; health: string; lastError: string }[] }>('/api/v1/targets')).activeTargets;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  logs(): string {
    return this.output.join('');
  }

  private async api<T>(path: string, form?: URLSearchParams): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, form ? { method: 'POST', body: form } : {});
    const body = (await res.json()) as { status: string; data?: T; error?: string };
    if (body.status !== 'success' || body.data === undefined) throw new Error(`${path}: ${body.error ?? `HTTP ${res.status}`}`);
    return body.data;
  }
}
