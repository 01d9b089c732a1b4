export type RateDecision = { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

export interface TokenBucketOptions {
  /** Sustained rate; also the burst (a full bucket holds one minute's worth). */
  perMinute: number;
  /** Most clients remembered; past it the least recently seen is forgotten (it starts again with a full bucket). */
  maxClients?: number;
  /** Clock in milliseconds, for tests. */
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * One token bucket per client id, in memory: each request takes a token, tokens come back at `perMinute`
 * per minute, up to `perMinute`. State is per process, so with N replicas a client gets up to N times the
 * limit. A client whose bucket is full is indistinguishable from one never seen, so forgetting idle clients
 * (least recently seen first, once `maxClients` is reached) loses nothing but memory.
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly capacity: number;
  private readonly perMs: number;
  private readonly maxClients: number;
  private readonly now: () => number;

  constructor(options: TokenBucketOptions) {
    if (!(options.perMinute > 0) || !Number.isFinite(options.perMinute)) throw new RangeError('perMinute must be a positive number');
    this.capacity = options.perMinute;
    this.perMs = options.perMinute / 60_000;
    this.maxClients = options.maxClients ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  /** Takes one token for `clientId`, or says how long until one is there. */
  take(clientId: string): RateDecision {
    const now = this.now();
    const bucket = this.buckets.get(clientId);
    let tokens = this.capacity;
    if (bucket) {
      tokens = Math.min(this.capacity, bucket.tokens + Math.max(0, now - bucket.at) * this.perMs);
      // Re-inserting keeps the map in least-recently-seen order.
      this.buckets.delete(clientId);
    }
    if (tokens < 1) {
      this.buckets.set(clientId, { tokens, at: now });
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / this.perMs / 1000)) };
    }
    this.buckets.set(clientId, { tokens: tokens - 1, at: now });
    if (this.buckets.size > this.maxClients) {
      const oldest = this.buckets.keys().next();
      if (!oldest.done) this.buckets.delete(oldest.value);
    }
    return { allowed: true, remaining: Math.floor(tokens - 1) };
  }

  /** Clients currently remembered. */
  size(): number {
    return this.buckets.size;
  }
}
