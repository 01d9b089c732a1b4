import { randomBytes } from 'node:crypto';
import type { RpcMap, RpcPattern } from '@app/contracts';
import type { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import type { Channel, ConsumeMessage, Options } from 'amqplib';
import { BrokerUnavailableError } from './broker-unavailable.error.js';
import { decodeNestReply, DIRECT_REPLY_TO, encodeNestRequest } from './nest-rpc-wire.js';
import { classifyRpcError, RpcTimeoutError, type RpcCallOptions, type RpcClient } from './rpc-client.js';

/** A call waiting for its reply; settled once, by the reply, its deadline or the loss of its channel. */
interface PendingCall {
  readonly pattern: string;
  readonly timeoutMs: number;
  /** The channel the request went out on: direct reply-to brings the reply to that channel only. */
  readonly channel: Channel;
  timer: NodeJS.Timeout | undefined;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/**
 * `RpcClient` on one plain amqplib channel with direct reply-to, in Nest's wire format, so Nest
 * `@MessagePattern` servers answer it unchanged. It does per call what Nest's ClientRMQ does minus the RxJS
 * pipeline, serializer, record builder, listener bookkeeping and publisher confirm (the reply is the
 * confirmation): one JSON body, one publish, a Map entry and a timer.
 *
 * The channel is not a confirm channel and requests are sent straight to it, never queued: while the broker is
 * away a call fails at once with `BrokerUnavailableError` (as Nest's client does) instead of waiting for a
 * reconnect it could not get an answer through. When the channel is lost, calls still waiting fail at once with
 * `BrokerUnavailableError` too: their replies were bound for that channel and can no longer arrive, so waiting
 * for the deadline would only hold the caller. Such a request may still have been handled; the callers' RPCs
 * are idempotent (results) or harmless to repeat (predict). amqp-connection-manager opens a new channel, and
 * re-runs the reply consumer, when it reconnects.
 *
 * The client does not own the connection: several clients can share one (a channel each).
 */
export class DirectRpcClient implements RpcClient {
  private readonly wrapper: ChannelWrapper;
  /** The channel requests go out on and replies come back on; undefined while there is none. */
  private channel: Channel | undefined;
  private readonly pending = new Map<string, PendingCall>();
  /** Correlation ids: unique per client (a prefix per process for log lines, then a counter); cheaper than UUIDs. */
  private readonly idPrefix = `${randomBytes(6).toString('base64url')}.`;
  private sequence = 0;
  private closed = false;

  constructor(
    connection: AmqpConnectionManager,
    private readonly queue: string,
  ) {
    this.wrapper = connection.createChannel({ json: false, confirm: false, setup: (channel: Channel) => this.setUp(channel) });
    // Setup failures are reported here; the wrapper retries on the next reconnect.
    this.wrapper.on('error', () => undefined);
  }

  /** Resolves once the reply consumer is in place; rejects after `timeoutMs`. */
  async ready(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new BrokerUnavailableError(`message broker unavailable: no RPC channel to ${this.queue} within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.wrapper.waitForConnect(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  isConnected(): boolean {
    return this.channel !== undefined;
  }

  /** How many calls wait for a reply (tests, diagnostics). */
  get pendingCount(): number {
    return this.pending.size;
  }

  call<P extends RpcPattern>(pattern: P, payload: RpcMap[P]['request'], options: RpcCallOptions): Promise<RpcMap[P]['reply']> {
    const channel = this.channel;
    if (!channel) return Promise.reject(new BrokerUnavailableError(`message broker unavailable: ${this.closed ? 'RPC client closed' : 'not connected'}`));
    const id = this.idPrefix + (this.sequence += 1).toString(36);
    const properties: Options.Publish = {
      replyTo: DIRECT_REPLY_TO,
      correlationId: id,
      expiration: String(Math.max(1, Math.ceil(options.expirationMs ?? options.timeoutMs))),
      persistent: false,
    };
    if (options.messageId) properties.messageId = options.messageId;
    if (options.headers) properties.headers = options.headers;
    return new Promise<RpcMap[P]['reply']>((resolve, reject) => {
      const call: PendingCall = { pattern, timeoutMs: options.timeoutMs, channel, timer: undefined, resolve, reject };
      try {
        channel.sendToQueue(this.queue, encodeNestRequest(pattern, payload, id), properties);
      } catch (error) {
        // amqplib throws synchronously when the channel has just closed (or the body cannot be encoded).
        reject(BrokerUnavailableError.from(error));
        return;
      }
      call.timer = setTimeout(this.expire, options.timeoutMs, id);
      this.pending.set(id, call);
    });
  }

  /** Fails the calls still waiting and closes the channel (not the connection, which may be shared). */
  async close(): Promise<void> {
    this.closed = true;
    this.channel = undefined;
    this.failPending(() => true, 'RPC client closed');
    await this.wrapper.close();
  }

  /** Run by amqp-connection-manager on every (re)connect, with a new channel. */
  private async setUp(channel: Channel): Promise<void> {
    // A channel error closes the channel; the 'close' that follows is what the client acts on.
    channel.on('error', () => undefined);
    channel.once('close', () => this.channelLost(channel));
    // Direct reply-to requires the consumer before the first request that names it.
    await channel.consume(DIRECT_REPLY_TO, (message) => message && this.onReply(message), { noAck: true });
    if (!this.closed) this.channel = channel;
  }

  private onReply(message: ConsumeMessage): void {
    const id = message.properties.correlationId as string | undefined;
    const call = id === undefined ? undefined : this.pending.get(id);
    // No call: a reply after the deadline, or a later frame of an Observable whose first value was taken.
    if (!call || id === undefined) return;
    const frame = decodeNestReply(message.content);
    this.settle(id, call);
    if (frame.kind === 'value') call.resolve(frame.value);
    else if (frame.kind === 'error') call.reject(classifyRpcError(frame.error));
    // An empty stream: what Nest's client reports (through firstValueFrom's EmptyError) as unavailable.
    else call.reject(new BrokerUnavailableError(`message broker unavailable: ${call.pattern} ended without a reply`));
  }

  /** The deadline of one call (a bound method, so arming a timer allocates no closure). */
  private readonly expire = (id: string): void => {
    const call = this.pending.get(id);
    if (!call) return;
    call.timer = undefined;
    this.settle(id, call);
    call.reject(new RpcTimeoutError(call.pattern, call.timeoutMs));
  };

  private channelLost(channel: Channel): void {
    if (this.channel === channel) this.channel = undefined;
    this.failPending((call) => call.channel === channel, 'connection lost before the reply arrived');
  }

  private failPending(which: (call: PendingCall) => boolean, reason: string): void {
    for (const [id, call] of this.pending) {
      if (!which(call)) continue;
      this.settle(id, call);
      call.reject(new BrokerUnavailableError(`message broker unavailable: ${reason} (${call.pattern})`));
    }
  }

  private settle(id: string, call: PendingCall): void {
    this.pending.delete(id);
    if (call.timer) clearTimeout(call.timer);
  }
}
