/**
 * What a correlation id may look like, wherever it comes from (a client's `X-Correlation-Id`, a message
 * header, an event field): 1-128 letters, digits, `.`, `_`, `:` or `-`. A UUID, a W3C trace id or `abc-123`
 * fit; nothing that could break a log line, a header or a shell does.
 */
export const CORRELATION_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export function isValidCorrelationId(value: unknown): value is string {
  return typeof value === 'string' && CORRELATION_ID_PATTERN.test(value);
}
