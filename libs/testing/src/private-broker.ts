import { execFile } from 'node:child_process';
import { chown, mkdir, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { waitFor } from './wait-for.js';

const run = promisify(execFile);

/**
 * A RabbitMQ node of the fault suite's own (its own name, port and data folder), so the suite can stop and
 * restart "the broker" without disturbing anything else using the machine's main node. Uses the installed
 * rabbitmq-server; the node runs as the `rabbitmq` user like the main one.
 */
export class PrivateBroker {
  readonly node: string;
  readonly url: string;
  private readonly base: string;

  constructor(
    readonly port = 5673,
    name = 'mpfaults',
  ) {
    this.node = `${name}@localhost`;
    this.url = `amqp://guest:guest@127.0.0.1:${port}`;
    this.base = `/tmp/${name}-rabbitmq`;
  }

  async start(timeoutMs = 90_000): Promise<void> {
    if (await this.isRunning()) {
      await this.ctl('start_app');
      return;
    }
    await rm(this.base, { recursive: true, force: true });
    await mkdir(this.base, { recursive: true });
    await writeFile(`${this.base}/rabbitmq.conf`, `listeners.tcp.local = 127.0.0.1:${this.port}\n`);
    await writeFile(`${this.base}/enabled_plugins`, '[].\n');
    await chownToRabbitmq(this.base);
    await run('rabbitmq-server', ['-detached'], {
      cwd: '/tmp',
      env: {
        ...process.env,
        RABBITMQ_NODENAME: this.node,
        RABBITMQ_NODE_PORT: String(this.port),
        RABBITMQ_DIST_PORT: String(this.port + 20_000),
        RABBITMQ_CONFIG_FILE: `${this.base}/rabbitmq`,
        RABBITMQ_MNESIA_BASE: `${this.base}/mnesia`,
        RABBITMQ_LOG_BASE: `${this.base}/log`,
        RABBITMQ_ENABLED_PLUGINS_FILE: `${this.base}/enabled_plugins`,
        RABBITMQ_PID_FILE: `${this.base}/pid`,
      },
    });
    await waitFor(async () => ((await this.isRunning()) ? true : undefined), timeoutMs, `RabbitMQ node ${this.node}`, 500);
    await this.ctl('await_startup', '--timeout', String(Math.ceil(timeoutMs / 1000)));
  }

  /** The broker "restarts": the node stays up, the RabbitMQ application stops and starts again. */
  async stopApp(): Promise<void> {
    await this.ctl('stop_app');
  }

  async startApp(): Promise<void> {
    await this.ctl('start_app');
    await this.ctl('await_startup', '--timeout', '60');
  }

  async shutdown(): Promise<void> {
    await this.ctl('stop').catch(() => undefined);
    await rm(this.base, { recursive: true, force: true }).catch(() => undefined);
  }

  private async isRunning(): Promise<boolean> {
    try {
      await this.ctl('ping');
      return true;
    } catch {
      return false;
    }
  }

  private async ctl(...args: string[]): Promise<string> {
    const { stdout } = await run('rabbitmqctl', ['-n', this.node, '-q', ...args], { timeout: 120_000 });
    return stdout;
  }
}

async function chownToRabbitmq(path: string): Promise<void> {
  try {
    const { stdout } = await run('id', ['-u', 'rabbitmq']);
    const { stdout: gid } = await run('id', ['-g', 'rabbitmq']);
    await chown(path, Number(stdout.trim()), Number(gid.trim()));
  } catch {
    // No rabbitmq user (the server runs as the current user): nothing to hand over.
  }
}
