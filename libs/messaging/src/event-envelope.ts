/**
 * Nest's wire format for an event, `{"pattern": "...", "data": {...}}`, for the few messages the suite
 * publishes and consumes without Nest's transport (predictor heartbeats), so every message on the broker
 * reads the same way.
 */
export interface EventEnvelope {
  pattern: string;
  data: unknown;
}

export function encodeEvent(pattern: string, data: unknown): Buffer {
  return Buffer.from(JSON.stringify({ pattern, data }));
}

/** The envelope of a message body, or null when it is not JSON `{pattern: string, data}`. */
export function decodeEvent(content: Buffer): EventEnvelope | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const { pattern, data } = parsed as Record<string, unknown>;
  return typeof pattern === 'string' ? { pattern, data } : null;
}
