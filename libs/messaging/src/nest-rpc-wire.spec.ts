import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClientRMQ } from '@nestjs/microservices';
import fc from 'fast-check';
import { decodeNestReply, encodeNestRequest, type NestReplyFrame } from './nest-rpc-wire.js';

const frame = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

/** The same bytes read by Nest's own ClientRMQ (parse, deserialize, handleMessage, createObserver), as a frame. */
async function nestReads(content: Buffer): Promise<NestReplyFrame | 'nothing'> {
  const client = new ClientRMQ({}) as unknown as {
    parseMessageContent(content: Buffer): unknown;
    handleMessage(packet: unknown, options: undefined, callback: (packet: unknown) => void): Promise<void>;
    createObserver(observer: { next(v: unknown): void; error(e: unknown): void; complete(): void }): (packet: unknown) => void;
  };
  const seen: NestReplyFrame[] = [];
  const observer = {
    next: (value: unknown) => void seen.push({ kind: 'value', value }),
    error: (error: unknown) => void seen.push({ kind: 'error', error }),
    complete: () => void seen.push({ kind: 'end' }),
  };
  await client.handleMessage(client.parseMessageContent(content), undefined, client.createObserver(observer));
  return seen[0] ?? 'nothing';
}

describe('Nest RPC wire format', () => {
  it("encodes a request as Nest's client does: {pattern, data, id}", () => {
    assert.deepEqual(JSON.parse(encodeNestRequest('prediction.predict.v1', { match_id: 7 }, 'abc.1').toString()), {
      pattern: 'prediction.predict.v1',
      data: { match_id: 7 },
      id: 'abc.1',
    });
  });

  it('reads the frames a Nest server sends', () => {
    assert.deepEqual(decodeNestReply(frame({ id: 'x', response: { ok: 1 }, isDisposed: true })), { kind: 'value', value: { ok: 1 } });
    assert.deepEqual(decodeNestReply(frame({ id: 'x', err: { code: 'internal', message: 'm' }, isDisposed: true })), {
      kind: 'error',
      error: { code: 'internal', message: 'm' },
    });
    // An Observable: values without isDisposed, then a bare isDisposed.
    assert.deepEqual(decodeNestReply(frame({ id: 'x', response: 1 })), { kind: 'value', value: 1 });
    assert.deepEqual(decodeNestReply(frame({ id: 'x', isDisposed: true })), { kind: 'end' });
    // Falsy responses are values.
    assert.deepEqual(decodeNestReply(frame({ id: 'x', response: 0, isDisposed: true })), { kind: 'value', value: 0 });
    assert.deepEqual(decodeNestReply(frame({ id: 'x', response: null, isDisposed: true })), { kind: 'value', value: null });
  });

  it('takes a reply that is not a Nest envelope as the value itself', () => {
    assert.deepEqual(decodeNestReply(frame({ probabilities: [0.2, 0.3, 0.5] })), { kind: 'value', value: { probabilities: [0.2, 0.3, 0.5] } });
    assert.deepEqual(decodeNestReply(frame('not json')), { kind: 'value', value: 'not json' });
    assert.deepEqual(decodeNestReply(frame({})), { kind: 'value', value: {} });
  });

  it("agrees with Nest's own client on any frame", async () => {
    const envelopeField = fc.oneof(fc.constant(undefined), fc.constant(null), fc.constant(0), fc.constant(''), fc.boolean(), fc.jsonValue({ maxDepth: 2 }));
    const envelope = fc.record(
      { id: fc.string(), err: envelopeField, response: envelopeField, isDisposed: fc.oneof(fc.boolean(), fc.constant(null)), status: fc.constant('error') },
      { requiredKeys: [] },
    );
    const anyFrame = fc.oneof(
      envelope.map((e) => frame(e)),
      fc.tuple(envelope, fc.string(), fc.jsonValue({ maxDepth: 1 })).map(([e, key, value]) => frame({ ...e, [key]: value })),
      fc.jsonValue({ maxDepth: 2 }).map((v) => Buffer.from(JSON.stringify(v))),
      fc.string().map((s) => Buffer.from(s)),
    );
    await fc.assert(
      fc.asyncProperty(anyFrame, async (content) => {
        assert.deepEqual(decodeNestReply(content), await nestReads(content));
      }),
      { numRuns: 500 },
    );
  });
});
