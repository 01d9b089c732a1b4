import { isValidCorrelationId } from '@app/contracts';

/**
 * Our own header names. Never `x-*`: RabbitMQ reserves those and newer versions strip client-set ones,
 * and `x-death` only exists after the broker itself dead-letters a message.
 */
export const Headers = {
  attempt: 'mp-attempt',
  /** One request's id, from the gateway's `X-Correlation-Id` through every message it causes. */
  correlationId: 'mp-correlation-id',
  deathReason: 'mp-death-reason',
  deathError: 'mp-death-error',
  originalQueue: 'mp-original-queue',
} as const;

/** Headers to publish with a message so its consumer logs the same correlation id; none when there is none. */
export function correlationHeaders(correlationId: string | undefined): Record<string, string> {
  return isValidCorrelationId(correlationId) ? { [Headers.correlationId]: correlationId } : {};
}

/** The correlation id a delivered message carries (`properties.headers`), or undefined when absent or malformed. */
export function correlationIdOf(headers: Record<string, unknown> | undefined): string | undefined {
  const value = headerString(headers?.[Headers.correlationId]);
  return isValidCorrelationId(value) ? value : undefined;
}

/** The 1-based attempt number a delivery represents (first delivery: 1). */
export function attemptOf(headers: Record<string, unknown> | undefined): number {
  const raw = Number(headers?.[Headers.attempt]);
  return Number.isInteger(raw) && raw >= 1 ? raw : 1;
}

/** Why, where and (for broker dead-letters) when a dead-lettered message died. */
export interface DeathInfo {
  reason: string | undefined;
  /** The queue it died in (our `mp-original-queue`, else the broker's). */
  queue: string | undefined;
  error: string | undefined;
  /** Only the broker records a time (in `x-death`); app dead-letters have none. */
  at: Date | undefined;
}

/**
 * Reads a dead-lettered message's headers: ours (`mp-death-*`, set by `MessageSettler.deadLetter`) first, else
 * the broker's newest `x-death` entry, else `x-first-death-*`. The newest entry matters: a task that went
 * through a retry queue carries that queue's `expired` death as its *first* one, so `x-first-death-reason`
 * of a later delivery-limit or rejection would name the retry, not the real cause.
 */
export function deathOf(headers: Record<string, unknown> | undefined): DeathInfo {
  const latest = Array.isArray(headers?.['x-death']) ? (headers['x-death'] as unknown[])[0] : undefined;
  const entry = typeof latest === 'object' && latest !== null ? (latest as Record<string, unknown>) : {};
  const ours = headerString(headers?.[Headers.deathReason]);
  return {
    reason: ours ?? headerString(entry.reason) ?? headerString(headers?.['x-first-death-reason']),
    queue: headerString(headers?.[Headers.originalQueue]) ?? headerString(entry.queue) ?? headerString(headers?.['x-first-death-queue']),
    error: headerString(headers?.[Headers.deathError]),
    at: ours === undefined ? timestampOf(entry.time) : undefined,
  };
}

/** AMQP header values arrive as strings, numbers or Buffers (long strings); anything else is ignored. */
export function headerString(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (Buffer.isBuffer(value)) return headerString(value.toString('utf8'));
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** amqplib decodes an AMQP timestamp (seconds) as `{'!': 'timestamp', value}`; plain numbers are accepted too. */
function timestampOf(value: unknown): Date | undefined {
  const seconds = typeof value === 'object' && value !== null && 'value' in value ? value.value : value;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : undefined;
}
