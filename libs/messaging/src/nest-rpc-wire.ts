/**
 * RabbitMQ's direct reply-to: a reply sent here goes straight to the consumer on the channel that published the
 * request, with no reply queue. Only that channel can receive it, so a reply is lost with its channel.
 */
export const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';

/** A request as Nest's ClientRMQ sends it: `{pattern, data, id}`, where `id` is also the AMQP `correlationId`. */
export function encodeNestRequest(pattern: string, data: unknown, id: string): Buffer {
  return Buffer.from(JSON.stringify({ pattern, data, id }));
}

/**
 * What one reply frame means to a caller that wants the first value, as Nest's client reads it: an error, a
 * value, or the end of the stream. A Nest server sends one frame for a plain or promised result
 * (`{response, isDisposed: true}`) and for an error (`{err}`); for an Observable it sends a frame per value
 * and a final `{isDisposed: true}`.
 */
export type NestReplyFrame = { kind: 'error'; error: unknown } | { kind: 'value'; value: unknown } | { kind: 'end' };

/** The only keys a Nest reply carries (IncomingResponseDeserializer); `status` marks the "no handler" reply. */
const ENVELOPE_KEYS = new Set(['id', 'err', 'response', 'isDisposed', 'status']);

/**
 * Reads a reply frame with the rules of Nest's ClientRMQ (parseMessageContent, IncomingResponseDeserializer,
 * ClientProxy.createObserver), so a caller sees exactly what `firstValueFrom(client.send(...))` would:
 * a truthy `err` fails; a `response` is a value; a bare `isDisposed` ends the stream; a frame without
 * `isDisposed` is a value even when `response` is absent. A body that is not JSON, or JSON with keys a
 * Nest reply never has, is a foreign reply and is itself the value.
 */
export function decodeNestReply(content: Buffer): NestReplyFrame {
  const packet = parseContent(content);
  if (isForeign(packet)) return { kind: 'value', value: packet };
  const { err, response, isDisposed } = packet as { err?: unknown; response?: unknown; isDisposed?: unknown };
  if (err) return { kind: 'error', error: err };
  if (response !== undefined || !isDisposed) return { kind: 'value', value: response };
  return { kind: 'end' };
}

function parseContent(content: Buffer): unknown {
  const text = content.toString();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function isForeign(value: unknown): boolean {
  if (!value || typeof value !== 'object') return true;
  const keys = Object.keys(value);
  return keys.length === 0 || keys.some((key) => !ENVELOPE_KEYS.has(key));
}
