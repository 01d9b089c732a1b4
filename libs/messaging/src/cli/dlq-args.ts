import { parseArgs } from 'node:util';

export const DLQ_USAGE = `Usage: npm run dlq -- <command>
  list [--limit N] [--json]             messages in the dead-letter queue (default limit 100); nothing is removed
  show <id> [--json]                    one message in full (id = message id / task id, or sha256:… for others)
  replay <id> | --all [--reason "…"] [--force]
                                        reopen the task in results, publish the message to the work queue again
                                        (same task id, attempt 1), then remove it from the dead-letter queue
                                        --force: also replay non-task messages (back to their original queue, as
                                        they are) and tasks results would not reopen (success, started, retry)
  purge [--yes]                         delete every message in the dead-letter queue (asks unless --yes)
Environment: AMQP_URL (default amqp://guest:guest@127.0.0.1:5672), QUEUE_PREFIX (default ''),
  RESULTS_RPC_TIMEOUT_MS (default 5000). Exit codes: 0 ok, 1 usage / not found / refused, 2 broker or results unreachable.`;

/** A bad command line or environment: exit code 1, with the usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const DEFAULT_LIST_LIMIT = 100;
export const MAX_REASON_LENGTH = 500;

export type DlqCommand =
  | { name: 'list'; limit: number; json: boolean }
  | { name: 'show'; id: string; json: boolean }
  | { name: 'replay'; id: string | null; reason: string | null; force: boolean }
  | { name: 'purge'; yes: boolean }
  | { name: 'help' };

export function parseDlqArgs(argv: readonly string[]): DlqCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        limit: { type: 'string' },
        json: { type: 'boolean' },
        all: { type: 'boolean' },
        reason: { type: 'string' },
        force: { type: 'boolean' },
        yes: { type: 'boolean', short: 'y' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const [name, ...rest] = positionals;
  if (values.help || name === 'help') return { name: 'help' };
  const allowed: Record<string, readonly string[]> = {
    list: ['limit', 'json'],
    show: ['json'],
    replay: ['all', 'reason', 'force'],
    purge: ['yes'],
  };
  if (name === undefined) throw new UsageError('a command is required: list, show, replay or purge');
  const flags = allowed[name];
  if (!flags) throw new UsageError(`unknown command '${name}'`);
  const extra = Object.keys(values).filter((k) => values[k as keyof typeof values] !== undefined && !flags.includes(k));
  if (extra.length > 0) throw new UsageError(`${name} does not take --${extra.join(', --')}`);

  switch (name) {
    case 'list':
      noPositionals(name, rest);
      return { name, limit: positiveInteger(values.limit, DEFAULT_LIST_LIMIT, '--limit'), json: values.json === true };
    case 'show':
      return { name, id: oneId(name, rest), json: values.json === true };
    case 'replay': {
      const all = values.all === true;
      if (all && rest.length > 0) throw new UsageError('replay takes an id or --all, not both');
      const reason = values.reason === undefined ? null : values.reason.trim();
      if (reason === '') throw new UsageError('--reason must not be empty');
      if (reason !== null && reason.length > MAX_REASON_LENGTH) throw new UsageError(`--reason is longer than ${MAX_REASON_LENGTH} characters`);
      return { name, id: all ? null : oneId(name, rest), reason, force: values.force === true };
    }
    default:
      noPositionals(name, rest);
      return { name: 'purge', yes: values.yes === true };
  }
}

function oneId(command: string, rest: string[]): string {
  if (rest.length !== 1 || !rest[0]) throw new UsageError(`${command} takes exactly one id${command === 'replay' ? ' (or --all)' : ''}`);
  return rest[0];
}

function noPositionals(command: string, rest: string[]): void {
  if (rest.length > 0) throw new UsageError(`${command} takes no arguments, got '${rest.join(' ')}'`);
}

function positiveInteger(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`${flag} expects a positive integer, got '${value}'`);
  return n;
}

export interface DlqEnvironment {
  amqpUrl: string;
  queuePrefix: string;
  rpcTimeoutMs: number;
}

/** The same variables, defaults and rules as the apps (`.env.example`, BaseConfig). */
export function parseDlqEnv(env: NodeJS.ProcessEnv): DlqEnvironment {
  const amqpUrl = env.AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672';
  if (!/^amqps?:\/\/\S+$/.test(amqpUrl)) throw new UsageError('AMQP_URL must be an amqp:// or amqps:// URL');
  const queuePrefix = env.QUEUE_PREFIX ?? '';
  if (!/^[A-Za-z0-9._-]*$/.test(queuePrefix)) throw new UsageError('QUEUE_PREFIX may contain letters, digits, ".", "_" and "-" only');
  const timeout = env.RESULTS_RPC_TIMEOUT_MS || '5000';
  const rpcTimeoutMs = Number(timeout);
  if (!/^\d+$/.test(timeout) || rpcTimeoutMs < 100 || rpcTimeoutMs > 600_000) {
    throw new UsageError('RESULTS_RPC_TIMEOUT_MS must be an integer between 100 and 600000');
  }
  return { amqpUrl, queuePrefix, rpcTimeoutMs };
}
