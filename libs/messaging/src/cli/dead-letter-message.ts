import { createHash } from 'node:crypto';
import { Patterns, PredictionRequestMessage, readTaskBundle, validateMessage } from '@app/contracts';
import type { MessageProperties, Options } from 'amqplib';
import { isUUID } from 'class-validator';
import { bundlePartOf } from '../bundle-delivery.js';
import { Headers, attemptOf, deathOf, headerString } from '../message-headers.js';

/** Header set on a replayed message: when an operator sent it back (ISO time). */
export const REPLAYED_AT_HEADER = 'mp-replayed-at';

/** One task of a dead-lettered bundle, read as the single task message it stands for. */
export interface BundledTaskSummary {
  task_id: string | null;
  match_id: number | null;
  /** Why this entry is not a valid task message (it cannot be replayed), or null. */
  problem: string | null;
}

/** What the dead-letter tool shows of one message in the parking queue. Pure data, JSON-friendly. */
export interface DeadLetterSummary {
  /** messageId (= task id for task messages), else `sha256:` + 16 hex digits of the body. */
  id: string;
  /**
   * `task`: a valid `prediction.task.v1` with a task id, replayable; `bundle`: a `prediction.task-bundle.v1`
   * with a valid envelope (ADR 0012), replayable task by task; `invalid`: anything else.
   */
  kind: 'task' | 'bundle' | 'invalid';
  /** Why an `invalid` message is not a task message (not JSON, wrong pattern, failed validation). */
  problem: string | null;
  task_id: string | null;
  match_id: number | null;
  /** A bundle's tasks, in order; null for any other message. */
  tasks: BundledTaskSummary[] | null;
  /** `mp-death-reason`, else the broker's newest death reason; `unknown` when there is none. */
  reason: string;
  error: string | null;
  /** `mp-attempt` of the attempt that died; null when the header is absent. */
  attempts: number | null;
  original_queue: string | null;
  /** Only broker dead-letters carry a time; null otherwise. */
  dead_lettered_at: string | null;
  body_bytes: number;
}

export interface DeadLetterLike {
  content: Buffer;
  properties: MessageProperties;
}

/** Reads one dead-lettered message without trusting anything in it. */
export function describeDeadLetter(message: DeadLetterLike): DeadLetterSummary {
  const headers = message.properties.headers;
  const death = deathOf(headers);
  const body = readTaskBody(message.content);
  const messageId = headerString(message.properties.messageId);
  return {
    id: messageId ?? bodyId(message.content),
    kind: body.problem !== null ? 'invalid' : body.tasks !== null ? 'bundle' : 'task',
    problem: body.problem,
    task_id: body.taskId,
    match_id: body.matchId,
    tasks: body.tasks,
    reason: death.reason ?? 'unknown',
    error: death.error ?? null,
    attempts: headers?.[Headers.attempt] === undefined ? null : attemptOf(headers),
    original_queue: death.queue ?? null,
    dead_lettered_at: death.at?.toISOString() ?? null,
    body_bytes: message.content.length,
  };
}

/** The id of a message without a messageId: short enough to type, stable across listings. */
export function bodyId(content: Buffer): string {
  return `sha256:${createHash('sha256').update(content).digest('hex').slice(0, 16)}`;
}

interface TaskBody {
  problem: string | null;
  taskId: string | null;
  matchId: number | null;
  tasks: BundledTaskSummary[] | null;
}

/** Nest's wire format `{pattern, data}` as JSON, or why not. */
function readPacket(content: Buffer): { pattern?: unknown; data?: unknown } | string {
  let packet: unknown;
  try {
    packet = JSON.parse(content.toString('utf8'));
  } catch {
    return 'body is not JSON';
  }
  if (typeof packet !== 'object' || packet === null || Array.isArray(packet)) return 'body is not a JSON object';
  return packet;
}

/**
 * A valid `prediction.task.v1` payload with a task id, or a bundle whose envelope is valid (each task read on
 * its own), or why neither.
 */
function readTaskBody(content: Buffer): TaskBody {
  const packet = readPacket(content);
  if (typeof packet === 'string') return { problem: packet, taskId: null, matchId: null, tasks: null };
  if (packet.pattern === Patterns.predictTaskBundle) {
    const entries = readTaskBundle(packet.data);
    if (entries instanceof Error) return { problem: `not a valid bundle: ${entries.problems.join('; ')}`, taskId: null, matchId: null, tasks: null };
    const tasks = entries.map((entry) => {
      const task = readTaskData(bundlePartOf(entry).data);
      return { task_id: task.taskId, match_id: task.matchId, problem: task.problem };
    });
    return { problem: null, taskId: null, matchId: null, tasks };
  }
  const task = readTaskData(packet.data);
  if (packet.pattern !== Patterns.predictTask) {
    return { ...task, problem: `pattern is ${JSON.stringify(packet.pattern ?? null)}, not ${Patterns.predictTask}` };
  }
  return task;
}

/** A `prediction.task.v1` payload: valid with a task id, or why not (with what ids could be read anyway). */
function readTaskData(data: unknown): TaskBody {
  const fields = typeof data === 'object' && data !== null ? (data as { task_id?: unknown; match_id?: unknown }) : {};
  const taskId = typeof fields.task_id === 'string' && isUUID(fields.task_id) ? fields.task_id : null;
  const matchId = typeof fields.match_id === 'number' && Number.isFinite(fields.match_id) ? fields.match_id : null;
  try {
    const message = validateMessage(PredictionRequestMessage, data);
    if (!message.task_id) return { problem: 'data.task_id is missing', taskId, matchId, tasks: null };
  } catch (error) {
    return { problem: error instanceof Error ? error.message : String(error), taskId, matchId, tasks: null };
  }
  return { problem: null, taskId, matchId, tasks: null };
}

/** The task entries of a dead-lettered bundle as they are in its body (`kind: 'bundle'` only), else null. */
export function bundleEntriesOf(message: DeadLetterLike): unknown[] | null {
  const packet = readPacket(message.content);
  if (typeof packet === 'string' || packet.pattern !== Patterns.predictTaskBundle) return null;
  const entries = readTaskBundle(packet.data);
  return entries instanceof Error ? null : entries;
}

/** Set anew (headers, messageId, persistence), or dropped: a foreign userId fails the publish, an expiration would drop the copy. */
const DROPPED_PROPERTIES = new Set(['headers', 'messageId', 'deliveryMode', 'userId', 'expiration']);

/**
 * Publish options for a replayed copy: the original properties (minus ones that would make the publish fail or
 * the copy expire), persistent, and fresh headers: no `mp-death-*` / `mp-original-queue` / broker `x-*`,
 * attempt 1, and when it was replayed. `messageId` is the task id when there is one, so it is the same task.
 */
export function replayOptions(message: DeadLetterLike, taskId: string | null, now: Date): Options.Publish {
  const options = publishableProperties(message, DROPPED_PROPERTIES);
  const kept: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(message.properties.headers ?? {})) {
    if (k.startsWith('x-') || k.startsWith('mp-death-') || k === Headers.originalQueue) continue;
    kept[k] = v;
  }
  const id = taskId ?? headerString(message.properties.messageId as unknown);
  return {
    ...options,
    ...(id ? { messageId: id } : {}),
    persistent: true,
    headers: { ...kept, [Headers.attempt]: 1, [REPLAYED_AT_HEADER]: now.toISOString() },
  };
}

/** Properties that would make the publish fail or the copy expire; the rest, death headers included, are kept. */
const UNPUBLISHABLE_PROPERTIES = new Set(['userId', 'expiration']);

/**
 * Publish options for the rest of a bundle put back in the dead-letter queue: the original's properties and
 * headers (so it still says why it died), persistent, under its own message id.
 */
export function restOfBundleOptions(message: DeadLetterLike, messageId: string): Options.Publish {
  return { ...publishableProperties(message, UNPUBLISHABLE_PROPERTIES), messageId, persistent: true };
}

/** The message's properties that are set, minus `dropped`, as publish options. */
function publishableProperties(message: DeadLetterLike, dropped: ReadonlySet<string>): Options.Publish & Record<string, unknown> {
  const options: Options.Publish & Record<string, unknown> = {};
  for (const [k, v] of Object.entries(message.properties) as [string, unknown][]) {
    if (!dropped.has(k) && v !== undefined && v !== null) options[k] = v;
  }
  return options;
}

/** Does `query` name this message: its id, its task id, or the id of a task in it (a bundle). */
export function matchesId(summary: DeadLetterSummary, query: string): boolean {
  return summary.id === query || summary.task_id === query || (summary.tasks?.some((task) => task.task_id === query) ?? false);
}
