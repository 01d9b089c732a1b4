// Dead-letter queue tool: `npm run dlq -- list | show <id> | replay <id>|--all | purge` (usage in dlq-args.ts,
// runbook in docs/OPERATIONS-DLQ.md). Talks to RabbitMQ directly and to `results` over RPC; never to Redis.
import 'reflect-metadata';
import { userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { buildTopology } from '../topology.js';
import { DeadLetterQueueAdapter } from './dead-letter-queue.adapter.js';
import { DLQ_USAGE, parseDlqArgs, parseDlqEnv, type DlqCommand, type DlqEnvironment } from './dlq-args.js';
import { listCommand, purgeCommand, replayCommand, showCommand, type DlqContext, type DlqOutput } from './dlq-commands.js';
import { exitCodeOf } from './dlq-errors.js';
import type { ResultsRpcClient } from './results-rpc.client.js';

const CONNECT_TIMEOUT_MS = 10_000;

const output: DlqOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Runs one command and returns its exit code: 0 ok, 1 usage / not found / refused, 2 broker or results unreachable. */
async function runDlq(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let command: Exclude<DlqCommand, { name: 'help' }>;
  let config: DlqEnvironment;
  try {
    const parsed = parseDlqArgs(argv);
    if (parsed.name === 'help') {
      output.out(DLQ_USAGE);
      return 0;
    }
    command = parsed;
    config = parseDlqEnv(env);
  } catch (error) {
    output.err(`dlq: ${messageOf(error)} (npm run dlq -- --help)`);
    return 1;
  }

  const { queues } = buildTopology({ prefix: config.queuePrefix, retryDelaysMs: [] });
  let broker: DeadLetterQueueAdapter | undefined;
  let results: ResultsRpcClient | undefined;
  try {
    broker = await DeadLetterQueueAdapter.connect(config.amqpUrl, CONNECT_TIMEOUT_MS);
    // Nest's RPC client is slow to load: only `replay` needs it.
    const { ResultsRpcClient } = command.name === 'replay' ? await import('./results-rpc.client.js') : { ResultsRpcClient: undefined };
    const ctx: DlqContext = {
      queues,
      broker,
      output,
      results: () => {
        if (!ResultsRpcClient) throw new Error('results RPC is only available to replay');
        return (results ??= new ResultsRpcClient(config.amqpUrl, queues.resultsRpc, config.rpcTimeoutMs));
      },
    };
    switch (command.name) {
      case 'list':
        return await listCommand(ctx, command);
      case 'show':
        return await showCommand(ctx, command);
      case 'replay':
        return await replayCommand(ctx, { id: command.id, force: command.force, reason: command.reason ?? defaultReason() });
      case 'purge':
        return await purgeCommand(ctx, command, askOnTerminal);
      default:
        return assertNever(command);
    }
  } catch (error) {
    output.err(`dlq: ${messageOf(error)}`);
    return exitCodeOf(error);
  } finally {
    await results?.close().catch(() => undefined);
    await broker?.close();
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled command ${JSON.stringify(value)}`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function defaultReason(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (some containers): keep 'unknown'
  }
  return `replayed from the dead-letter queue by ${user}`;
}

/** null when there is no terminal to ask on (then purge needs --yes). */
async function askOnTerminal(question: string): Promise<boolean | null> {
  if (!process.stdin.isTTY) return null;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim().toLowerCase() === 'yes';
  } finally {
    rl.close();
  }
}

process.exitCode = await runDlq(process.argv.slice(2), process.env);
