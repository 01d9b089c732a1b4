import { createHash } from 'node:crypto';
import { Patterns, PredictionRequestMessage, validateMessage } from '@app/contracts';
import type { MessageProperties, Options } from 'amqplib';
import { isUUID } from 'class-validator';
import { Headers, attemptOf, deathOf, headerString } from '../message-headers.js';

/** Header set on a replayed message: when an operator sent it back (ISO time). */
export const REPLAYED_AT_HEADER = 'mp-replayed-at';

/** What the dead-letter tool shows of one message in the parking queue. Pure data, JSON-friendly. */
export interface DeadLetterSummary {
  /** messageId (= task id for task messages), else `sha256:` + 16 hex digits of the body. */
  id: string;
  /** `task`: a valid `prediction.task.v1` with a task id, replayable; `invalid`: anything else. */
  kind: 'task' | 'invalid';
  /** Why an `invalid` message is not a task message (not JSON, wrong pattern, failed validation). */
  problem: string | null;
  task_id: string | null;
  match_id: number | null;
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
    kind: body.problem === null ? 'task' : 'invalid',
    problem: body.problem,
    task_id: body.taskId,
    match_id: body.matchId,
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
}

/** Nest's wire format `{pattern, data}` with a valid `prediction.task.v1` payload that has a task id, or why not. */
function readTaskBody(content: Buffer): TaskBody {
  let packet: unknown;
  try {
    packet = JSON.parse(content.toString('utf8'));
  } catch {
    return { problem: 'body is not JSON', taskId: null, matchId: null };
  }
  if (typeof packet !== 'object' || packet === null || Array.isArray(packet)) {
    return { problem: 'body is not a JSON object', taskId: null, matchId: null };
  }
  const { pattern, data } = packet as { pattern?: unknown; data?: unknown };
  const fields = typeof data === 'object' && data !== null ? (data as { task_id?: unknown; match_id?: unknown }) : {};
  const taskId = typeof fields.task_id === 'string' && isUUID(fields.task_id) ? fields.task_id : null;
  const matchId = typeof fields.match_id === 'number' && Number.isFinite(fields.match_id) ? fields.match_id : null;
  if (pattern !== Patterns.predictTask) {
    return { problem: `pattern is ${JSON.stringify(pattern ?? null)}, not ${Patterns.predictTask}`, taskId, matchId };
  }
  try {
    const message = validateMessage(PredictionRequestMessage, data);
    if (!message.task_id) return { problem: 'data.task_id is missing', taskId, matchId };
  } catch (error) {
    return { problem: error instanceof Error ? error.message : String(error), taskId, matchId };
  }
  return { problem: null, taskId, matchId };
}

/** Set anew (headers, messageId, persistence), or dropped: a foreign userId fails the publish, an expiration would drop the copy. */
const DROPPED_PROPERTIES = new Set(['headers', 'messageId', 'deliveryMode', 'userId', 'expiration']);

/**
 * Publish options for a replayed copy: the original properties (minus ones that would make the publish fail or
 * the copy expire), persistent, and fresh headers: no `mp-death-*` / `mp-original-queue` / broker `x-*`,
 * attempt 1, and when it was replayed. `messageId` is the task id when there is one, so it is the same task.
 */
export function replayOptions(message: DeadLetterLike, taskId: string | null, now: Date): Options.Publish {
  const options: Options.Publish & Record<string, unknown> = {};
  for (const [k, v] of Object.entries(message.properties) as [string, unknown][]) {
    if (!DROPPED_PROPERTIES.has(k) && v !== undefined && v !== null) options[k] = v;
  }
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

/** Does `query` name this message: its id, or its task id. */
export function matchesId(summary: DeadLetterSummary, query: string): boolean {
  return summary.id === query || summary.task_id === query;
}
