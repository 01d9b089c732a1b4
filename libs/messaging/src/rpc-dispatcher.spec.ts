import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NO_MESSAGE_HANDLER } from '@nestjs/microservices/constants.js';
import { IncomingResponseDeserializer } from '@nestjs/microservices';
import { MessageValidationError, Patterns, validatePredictionRequest, type Prediction, type ServingModelInfo } from '@app/contracts';
import type { ConsumeMessage, Options } from 'amqplib';
import { Headers } from './message-headers.js';
import { RpcDispatcher, type RpcHandlers, type RpcLog, type RpcReply } from './rpc-dispatcher.js';
import { RpcFailure, toRpcErrorPayload } from './rpc-failure.js';

/** The delivering channel: what goes on the wire, in order. */
function wire(faults: { send?: boolean; ack?: boolean } = {}) {
  const sent: { op: 'reply' | 'ack'; to?: string; body?: RpcReply; correlationId?: string; tag?: number }[] = [];
  const channel = {
    sendToQueue: (to: string, content: Buffer, options?: Options.Publish) => {
      if (faults.send) throw new Error('Channel closed');
      sent.push({ op: 'reply', to, body: JSON.parse(content.toString()) as RpcReply, correlationId: options?.correlationId });
      return true;
    },
    ack: (m: ConsumeMessage) => {
      if (faults.ack) throw new Error('Channel closed');
      sent.push({ op: 'ack', tag: m.fields.deliveryTag });
    },
  };
  return { channel, sent };
}

function logs() {
  const lines: { level: 'warn' | 'error'; msg: string; fields?: Readonly<Record<string, unknown>> }[] = [];
  const log: RpcLog = {
    warn: (msg, fields) => void lines.push({ level: 'warn', msg, fields }),
    error: (msg, fields) => void lines.push({ level: 'error', msg, fields }),
  };
  return { log, lines };
}

let tag = 0;
/** A request as Nest's ClientRMQ publishes it: `{pattern, data, id}` with replyTo and correlationId. */
function request(body: unknown, properties: { replyTo?: string; correlationId?: string; headers?: Record<string, unknown> } = {}): ConsumeMessage {
  tag += 1;
  const replyTo = 'replyTo' in properties ? properties.replyTo : 'amq.rabbitmq.reply-to.abc';
  return {
    content: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    fields: { deliveryTag: tag },
    properties: { replyTo, correlationId: properties.correlationId ?? `c-${tag}`, headers: properties.headers ?? { [Headers.correlationId]: 'req-1' } },
  } as unknown as ConsumeMessage;
}

const prediction = (matchId: number): Prediction => ({ match_id: matchId }) as unknown as Prediction;

const handlers: RpcHandlers = {
  [Patterns.predict]: (data) => {
    const req = validatePredictionRequest(data);
    if (req.match_id === 13) throw new RpcFailure('unknown_match', 'no such match', { match_id: 13 });
    if (req.match_id === 666) throw new Error('secret internals');
    return Promise.resolve(prediction(req.match_id));
  },
  [Patterns.modelInfo]: () => ({ name: 'm' }) as unknown as ServingModelInfo,
};

const predict = (data: unknown, id = 'id-1') => ({ pattern: Patterns.predict, data, id });

describe('RpcDispatcher', () => {
  it('answers on replyTo with the request correlationId, then acks', async () => {
    const { channel, sent } = wire();
    const msg = request(predict({ match_id: 7 }), { correlationId: 'corr-7' });
    await new RpcDispatcher(handlers, logs().log).serve(channel, msg);
    assert.deepEqual(sent, [
      { op: 'reply', to: 'amq.rabbitmq.reply-to.abc', body: { id: 'id-1', response: { match_id: 7 }, isDisposed: true }, correlationId: 'corr-7' },
      { op: 'ack', tag: msg.fields.deliveryTag },
    ]);
  });

  it('sends a handler’s RpcFailure as its payload, unlogged (a deliberate answer)', async () => {
    const { log, lines } = logs();
    const reply = await new RpcDispatcher(handlers, log).answer(request(predict({ match_id: 13 })));
    assert.deepEqual(reply.err, new RpcFailure('unknown_match', 'no such match', { match_id: 13 }).toPayload());
    assert.equal(reply.response, undefined);
    assert.deepEqual(lines, []);
  });

  it('sends a validation failure as invalid_message with the problems, as the error filter did', async () => {
    const data = { match_id: -1 };
    const reply = await new RpcDispatcher(handlers, logs().log).answer(request(predict(data)));
    let thrown: unknown;
    try {
      validatePredictionRequest(data);
    } catch (error) {
      thrown = error;
    }
    assert.ok(thrown instanceof MessageValidationError);
    assert.deepEqual(reply.err, toRpcErrorPayload(thrown));
    assert.equal((reply.err as { code: string }).code, 'invalid_message');
  });

  it('hides an unexpected error behind `internal` and logs it with the correlation id', async () => {
    const { log, lines } = logs();
    const reply = await new RpcDispatcher(handlers, log).answer(request(predict({ match_id: 666 })));
    assert.deepEqual(reply.err, { code: 'internal', message: 'internal error' });
    assert.ok(!JSON.stringify(reply).includes('secret'));
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.level, 'error');
    assert.equal(lines[0]?.fields?.correlation_id, 'req-1');
    assert.equal(lines[0]?.fields?.pattern, Patterns.predict);
  });

  it('answers a pattern nobody handles as Nest does, and acks it', async () => {
    const { channel, sent } = wire();
    const { log, lines } = logs();
    const msg = request({ pattern: 'task.status.v1', data: {}, id: 'id-9' });
    await new RpcDispatcher(handlers, log).serve(channel, msg);
    assert.deepEqual(sent[0]?.body, { id: 'id-9', err: NO_MESSAGE_HANDLER, status: 'error', isDisposed: true });
    assert.deepEqual(sent[1], { op: 'ack', tag: msg.fields.deliveryTag });
    assert.equal(lines[0]?.fields?.pattern, 'task.status.v1');
  });

  it('finds no handler in what every object inherits', async () => {
    const dispatcher = new RpcDispatcher(handlers, logs().log);
    for (const pattern of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const reply = await dispatcher.answer(request({ pattern, data: {}, id: 'id-p' }));
      assert.equal(reply.err, NO_MESSAGE_HANDLER, pattern);
    }
  });

  it('answers a body that is not a request envelope with invalid_message', async () => {
    const dispatcher = new RpcDispatcher(handlers, logs().log);
    for (const body of ['not json', '[1,2]', JSON.stringify({ data: {} }), JSON.stringify({ pattern: 5 })]) {
      const reply = await dispatcher.answer(request(body));
      assert.equal((reply.err as { code: string }).code, 'invalid_message', body);
    }
  });

  it('acks a request without replyTo unanswered and unscored, and says so', async () => {
    const { channel, sent } = wire();
    const { log, lines } = logs();
    let called = false;
    const dispatcher = new RpcDispatcher({ [Patterns.predict]: () => ((called = true), prediction(1)) }, log);
    const msg = request(predict({ match_id: 1 }), { replyTo: undefined });
    await dispatcher.serve(channel, msg);
    assert.deepEqual(sent, [{ op: 'ack', tag: msg.fields.deliveryTag }]);
    assert.equal(called, false);
    assert.equal(lines[0]?.level, 'warn');
    assert.equal(lines[0]?.fields?.correlation_id, 'req-1');
  });

  it('never rejects when the channel is gone: the lost reply is logged', async () => {
    const { channel } = wire({ send: true, ack: true });
    const { log, lines } = logs();
    await new RpcDispatcher(handlers, log).serve(channel, request(predict({ match_id: 2 })));
    assert.equal(lines[0]?.msg, 'RPC reply lost');
  });

  it('turns a response that cannot be serialised into an internal error reply', async () => {
    const { channel, sent } = wire();
    const dispatcher = new RpcDispatcher({ [Patterns.predict]: () => ({ big: 1n }) as unknown as Prediction }, logs().log);
    await dispatcher.serve(channel, request(predict({ match_id: 3 })));
    assert.deepEqual(sent[0]?.body, { id: 'id-1', err: { code: 'internal', message: 'internal error' }, isDisposed: true });
  });

  it('writes replies Nest’s ClientRMQ takes as its own packets, not as foreign payloads', async () => {
    const deserializer = new IncomingResponseDeserializer();
    const dispatcher = new RpcDispatcher(handlers, logs().log);
    const replies = [
      await dispatcher.answer(request(predict({ match_id: 7 }))),
      await dispatcher.answer(request(predict({ match_id: 13 }))),
      await dispatcher.answer(request({ pattern: 'nobody', data: {}, id: 'x' })),
    ];
    for (const reply of replies) {
      const wireReply = JSON.parse(JSON.stringify(reply)) as RpcReply;
      assert.deepEqual(deserializer.deserialize(wireReply), wireReply);
    }
  });
});
