import { Patterns, type TaskReplayReply } from '@app/contracts';
import type { ConsumeMessage } from 'amqplib';
import type { Topology } from '../topology.js';
import type { DeadLetterQueueAdapter, QueueSnapshot } from './dead-letter-queue.adapter.js';
import { bundlePartOf } from '../bundle-delivery.js';
import { bodyId, bundleEntriesOf, describeDeadLetter, matchesId, replayOptions, restOfBundleOptions, type DeadLetterSummary } from './dead-letter-message.js';

/** Where the tool writes: results to `out` (stdout), notes, refusals and errors to `err` (stderr). */
export interface DlqOutput {
  out(line: string): void;
  err(line: string): void;
}

/** `task.replay.v1` against `results`, the only writer of task state (the tool never touches Redis). */
export interface TaskReopener {
  reopen(taskId: string, reason: string): Promise<TaskReplayReply>;
}

export interface DlqContext {
  queues: Pick<Topology['queues'], 'work' | 'deadLetter'>;
  broker: Pick<DeadLetterQueueAdapter, 'snapshot' | 'count' | 'purge' | 'publishToQueue'>;
  /** Created on first use: list, show and purge never need results. */
  results: () => TaskReopener;
  output: DlqOutput;
  now?: () => Date;
}

/** One message id and every copy of it in the queue (a task dead-lettered twice has two). */
interface Group {
  summary: DeadLetterSummary;
  messages: ConsumeMessage[];
}

// ---------------------------------------------------------------------------------------------------------
// list / show: look, never remove.
// ---------------------------------------------------------------------------------------------------------

export async function listCommand(ctx: DlqContext, options: { limit: number; json: boolean }): Promise<number> {
  const snapshot = await ctx.broker.snapshot(ctx.queues.deadLetter, { limit: options.limit });
  try {
    const summaries = snapshot.messages.map((m) => describeDeadLetter(m));
    if (options.json) {
      ctx.output.out(JSON.stringify({ queue: snapshot.queue, total: snapshot.total, shown: summaries.length, messages: summaries }, null, 2));
      return 0;
    }
    if (summaries.length === 0) {
      ctx.output.out(`${snapshot.queue} is empty`);
      return 0;
    }
    const more = snapshot.total - summaries.length;
    ctx.output.out(`${snapshot.queue}: ${snapshot.total} message(s)${more > 0 ? `, showing ${summaries.length} (--limit)` : ''}`);
    for (const s of summaries) for (const line of summaryLines(s)) ctx.output.out(line);
    return 0;
  } finally {
    await snapshot.release();
  }
}

export async function showCommand(ctx: DlqContext, options: { id: string; json: boolean }): Promise<number> {
  const snapshot = await ctx.broker.snapshot(ctx.queues.deadLetter);
  try {
    const copies = snapshot.messages.filter((m) => matchesId(describeDeadLetter(m), options.id));
    if (copies.length === 0) {
      ctx.output.err(`no message with id ${options.id} in ${snapshot.queue} (${snapshot.total} message(s); see \`list\`)`);
      return 1;
    }
    if (options.json) {
      ctx.output.out(JSON.stringify({ queue: snapshot.queue, copies: copies.map(detail) }, jsonSafe, 2));
      return 0;
    }
    copies.forEach((message, i) => {
      if (copies.length > 1) ctx.output.out(`--- copy ${i + 1} of ${copies.length}`);
      for (const line of detailLines(message)) ctx.output.out(line);
    });
    return 0;
  } finally {
    await snapshot.release();
  }
}

// ---------------------------------------------------------------------------------------------------------
// replay: reopen in results → publish to the work queue (confirmed) → ack off the dead-letter queue, in that
// order, so a crash at any point leaves the message in the dead-letter queue to be listed and replayed again.
// ---------------------------------------------------------------------------------------------------------

export interface ReplayOptions {
  /** null: every message (`--all`). */
  id: string | null;
  reason: string;
  force: boolean;
}

export async function replayCommand(ctx: DlqContext, options: ReplayOptions): Promise<number> {
  // Every message is held (not only the first match): all copies of one id are replaced by one publish.
  const snapshot = await ctx.broker.snapshot(ctx.queues.deadLetter);
  try {
    const groups = groupById(snapshot.messages).filter((g) => options.id === null || g.messages.some((m) => matchesId(describeDeadLetter(m), options.id!)));
    if (groups.length === 0) {
      if (options.id === null) {
        ctx.output.out(`${snapshot.queue} is empty: nothing to replay`);
        return 0;
      }
      ctx.output.err(`no message with id ${options.id} in ${snapshot.queue} (${snapshot.total} message(s); see \`list\`)`);
      return 1;
    }
    let replayed = 0;
    for (const group of groups) {
      if (await replayGroup(ctx, snapshot, group, options)) replayed += 1;
    }
    const skipped = groups.length - replayed;
    if (options.id === null || skipped > 0) {
      ctx.output.out(`replayed ${replayed} of ${groups.length} message id(s) from ${snapshot.queue}${skipped > 0 ? `; ${skipped} left in it` : ''}`);
    }
    return skipped > 0 ? 1 : 0;
  } finally {
    await snapshot.release();
  }
}

/** true when replayed (and removed from the dead-letter queue); false when refused (left where it is). */
async function replayGroup(ctx: DlqContext, snapshot: QueueSnapshot, group: Group, options: ReplayOptions): Promise<boolean> {
  const { summary } = group;
  const first = group.messages[0]!;
  if (summary.kind === 'bundle') return replayBundle(ctx, snapshot, group, options);
  const label = `${summary.id}${summary.task_id && summary.task_id !== summary.id ? ` (task ${summary.task_id})` : ''}`;
  if (summary.kind === 'invalid' && !options.force) {
    ctx.output.err(`skipped ${label}: not a task message (${summary.problem}); --force sends it back to its original queue as it is`);
    return false;
  }
  const notes: string[] = [];
  if (summary.task_id !== null) {
    const reply = await ctx.results().reopen(summary.task_id, options.reason);
    const refusal = refusalOf(reply);
    if (refusal && !options.force) {
      ctx.output.err(`skipped ${label}: ${refusal}`);
      return false;
    }
    notes.push(reopenNote(reply));
  }
  const target = summary.kind === 'task' ? ctx.queues.work : (summary.original_queue ?? ctx.queues.work);
  if (summary.kind === 'invalid') notes.push(`not a task message (${summary.problem}), sent as it is because of --force`);
  await ctx.broker.publishToQueue(target, first.content, replayOptions(first, summary.task_id, (ctx.now ?? (() => new Date()))()));
  for (const message of group.messages) snapshot.ack(message);
  const copies = group.messages.length > 1 ? `, ${group.messages.length} copies removed` : '';
  ctx.output.out(`replayed ${label} → ${target}: ${notes.join('; ')}${copies}`);
  return true;
}

/**
 * A dead-lettered bundle (ADR 0012) replays task by task, each task as the single message it stands for, through
 * the same reopen → publish steps as a task message. The tasks named are all of them for the bundle's id (or
 * `--all`), else the one whose task id was given. Whatever is not replayed (not named, refused, not a valid
 * task) goes back to the dead-letter queue as a smaller bundle, confirmed, before the original is removed; a
 * crash before that removal leaves the original whole, to be replayed again (a task published twice is absorbed
 * by the task state). true when every named task was replayed.
 */
async function replayBundle(ctx: DlqContext, snapshot: QueueSnapshot, group: Group, options: ReplayOptions): Promise<boolean> {
  const { summary } = group;
  const first = group.messages[0]!;
  const entries = bundleEntriesOf(first) ?? [];
  const tasks = summary.tasks ?? [];
  const wholeBundle = options.id === null || options.id === summary.id;
  const now = (ctx.now ?? (() => new Date()))();
  /** Indexes of the entries that stay in the dead-letter queue. */
  const left: number[] = [];
  let refused = 0;
  for (const [i, entry] of entries.entries()) {
    const task = tasks[i];
    if (task === undefined || !(wholeBundle || task.task_id === options.id)) {
      left.push(i);
      continue;
    }
    const label = `${task.task_id ?? `task ${i + 1}`} (bundle ${summary.id})`;
    if (task.problem !== null || task.task_id === null) {
      ctx.output.err(`skipped ${label}: not a valid task message (${task.problem ?? 'no task id'}); it stays in the bundle`);
    } else if (await replayBundledTask(ctx, entry, task.task_id, label, first, options, now)) {
      continue;
    }
    left.push(i);
    refused += 1;
  }
  if (left.length === entries.length) return false;
  if (left.length > 0) {
    const content = Buffer.from(JSON.stringify({ pattern: Patterns.predictTaskBundle, data: { tasks: left.map((i) => entries[i]) } }));
    const firstLeft = tasks[left[0]!]?.task_id;
    const id = firstLeft ? `bundle:${firstLeft}:${left.length}` : bodyId(content);
    await ctx.broker.publishToQueue(ctx.queues.deadLetter, content, restOfBundleOptions(first, id));
    ctx.output.out(`${left.length} task(s) of bundle ${summary.id} not replayed: back in ${snapshot.queue} as bundle ${id}`);
  }
  for (const message of group.messages) snapshot.ack(message);
  return refused === 0;
}

/** One task of a bundle: reopened, then published alone to the work queue; false when refused. */
async function replayBundledTask(
  ctx: DlqContext,
  entry: unknown,
  taskId: string,
  label: string,
  bundle: ConsumeMessage,
  options: ReplayOptions,
  now: Date,
): Promise<boolean> {
  const reply = await ctx.results().reopen(taskId, options.reason);
  const refusal = refusalOf(reply);
  if (refusal && !options.force) {
    ctx.output.err(`skipped ${label}: ${refusal}; it stays in the bundle`);
    return false;
  }
  const part = bundlePartOf(entry);
  const publish = replayOptions(bundle, taskId, now);
  const headers: Record<string, unknown> = { ...(publish.headers as Record<string, unknown>), ...part.headers };
  await ctx.broker.publishToQueue(ctx.queues.work, Buffer.from(JSON.stringify({ pattern: part.pattern, data: part.data })), { ...publish, headers });
  ctx.output.out(`replayed ${label} → ${ctx.queues.work}: ${reopenNote(reply)}`);
  return true;
}

/** Why a task should not be replayed without --force, or null when it should. */
function refusalOf(reply: TaskReplayReply): string | null {
  if (reply.reopened || reply.previous_status === null || reply.previous_status === 'pending') return null;
  if (reply.previous_status === 'success') {
    return 'the task has already succeeded, so this copy is stale: purge it, or --force to run the task again (its result stays the first one)';
  }
  if (reply.previous_status === 'failure') return 'results did not reopen the failed task';
  return `the task is ${reply.previous_status}: a run is in progress, or results has not recorded the failure yet; try again later, or --force`;
}

function reopenNote(reply: TaskReplayReply): string {
  if (reply.reopened) return 'task reopened in results (failure → pending, attempts reset)';
  if (reply.previous_status === null) {
    return 'WARNING: results has no such task (expired or never created) and never recreates one: the work runs again, but its result is not stored and the status stays 404';
  }
  if (reply.previous_status === 'pending') return 'task already pending (an earlier replay reopened it, or results has not recorded the failure yet)';
  return `task is ${reply.previous_status}, replayed anyway (--force)`;
}

function groupById(messages: readonly ConsumeMessage[]): Group[] {
  const groups = new Map<string, Group>();
  for (const message of messages) {
    const summary = describeDeadLetter(message);
    const group = groups.get(summary.id);
    if (group) group.messages.push(message);
    else groups.set(summary.id, { summary, messages: [message] });
  }
  return [...groups.values()];
}

// ---------------------------------------------------------------------------------------------------------
// purge
// ---------------------------------------------------------------------------------------------------------

/** `confirm` asks a human; null when there is nobody to ask (stdin is not a terminal). */
export async function purgeCommand(ctx: DlqContext, options: { yes: boolean }, confirm: (question: string) => Promise<boolean | null>): Promise<number> {
  const queue = ctx.queues.deadLetter;
  if (!options.yes) {
    const count = await ctx.broker.count(queue);
    if (count === 0) {
      ctx.output.out(`${queue} is empty: nothing to purge`);
      return 0;
    }
    const answer = await confirm(`Delete all ${count} message(s) in ${queue}? This cannot be undone. Type "yes" to confirm: `);
    if (answer === null) {
      ctx.output.err(`refusing to purge ${queue} without --yes (no terminal to confirm on)`);
      return 1;
    }
    if (!answer) {
      ctx.output.err('purge aborted: nothing deleted');
      return 1;
    }
  }
  const purged = await ctx.broker.purge(queue);
  ctx.output.out(`purged ${purged} message(s) from ${queue}`);
  return 0;
}

// ---------------------------------------------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------------------------------------------

const MAX_BODY_SHOWN = 64 * 1024;

function summaryLines(s: DeadLetterSummary): string[] {
  const fields = [
    s.id,
    s.kind,
    `task=${s.task_id ?? '-'}`,
    `match=${s.match_id ?? '-'}`,
    `reason=${s.reason}`,
    `attempts=${s.attempts ?? '-'}`,
    `queue=${s.original_queue ?? '-'}`,
    `dead_lettered_at=${s.dead_lettered_at ?? '-'}`,
    `bytes=${s.body_bytes}`,
  ];
  const lines = [fields.join('  ')];
  if (s.error !== null) lines.push(`    error: ${oneLine(s.error, 300)}`);
  if (s.problem !== null) lines.push(`    not a task message: ${oneLine(s.problem, 300)}`);
  return [...lines, ...bundledTaskLines(s, '    ')];
}

/** A bundle's tasks, one line each: what `replay <task_id>` takes, or why an entry cannot be replayed. */
function bundledTaskLines(s: DeadLetterSummary, indent: string): string[] {
  return (s.tasks ?? []).map(
    (t, i) => `${indent}task ${i + 1}/${s.tasks!.length}: ${t.task_id ?? '-'}  match=${t.match_id ?? '-'}${t.problem ? `  not a valid task: ${oneLine(t.problem, 200)}` : ''}`,
  );
}

interface Detail extends DeadLetterSummary {
  properties: Record<string, unknown>;
  headers: Record<string, unknown>;
  body: string;
  body_encoding: 'utf8' | 'base64';
  body_truncated: boolean;
  redelivered: boolean;
}

function detail(message: ConsumeMessage): Detail {
  const { headers, ...properties } = message.properties;
  const shown = message.content.subarray(0, MAX_BODY_SHOWN);
  const text = shown.toString('utf8');
  // Valid UTF-8 without control characters other than tab and line breaks: shown as text, else as base64.
  const isText = Buffer.from(text, 'utf8').equals(shown) && !shown.some((b) => b < 0x09 || (b > 0x0d && b < 0x20));
  return {
    ...describeDeadLetter(message),
    properties: Object.fromEntries(Object.entries(properties).filter(([, v]) => v !== undefined)),
    headers: (headers ?? {}),
    body: isText ? text : shown.toString('base64'),
    body_encoding: isText ? 'utf8' : 'base64',
    body_truncated: message.content.length > MAX_BODY_SHOWN,
    redelivered: message.fields.redelivered,
  };
}

function detailLines(message: ConsumeMessage): string[] {
  const d = detail(message);
  const lines = [
    `id:               ${d.id}`,
    `kind:             ${d.kind}${d.problem ? ` (${d.problem})` : ''}`,
    `task_id:          ${d.task_id ?? '-'}`,
    `match_id:         ${d.match_id ?? '-'}`,
    `reason:           ${d.reason}`,
    `error:            ${(d.error ?? '-').replace(/\n/g, '\n                  ')}`,
    `attempts:         ${d.attempts ?? '-'}`,
    `original queue:   ${d.original_queue ?? '-'}`,
    `dead-lettered at: ${d.dead_lettered_at ?? '- (not recorded for app dead-letters)'}`,
    `body:             ${d.body_bytes} bytes${d.body_truncated ? `, first ${MAX_BODY_SHOWN} shown` : ''}${d.body_encoding === 'base64' ? ', binary (base64)' : ''}`,
    `properties:       ${JSON.stringify(d.properties, jsonSafe)}`,
    `headers:          ${JSON.stringify(d.headers, jsonSafe)}`,
    ...(d.tasks ? [`tasks:            ${d.tasks.length} (replay one by its task id, or all by the bundle's id)`, ...bundledTaskLines(d, '  ')] : []),
    '',
  ];
  lines.push(d.body_encoding === 'utf8' ? prettyJson(d.body) : d.body);
  return lines;
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** Buffers (long AMQP strings) as text, AMQP timestamps as ISO dates, for JSON output. */
function jsonSafe(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === 'object' && value !== null) {
    const v = value as { type?: unknown; data?: unknown; '!'?: unknown; value?: unknown };
    if (v.type === 'Buffer' && Array.isArray(v.data)) return Buffer.from(v.data as number[]).toString('utf8');
    if (v['!'] === 'timestamp' && typeof v.value === 'number') return new Date(v.value * 1000).toISOString();
  }
  return value;
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
