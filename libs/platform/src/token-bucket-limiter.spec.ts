import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBucketLimiter } from './token-bucket-limiter.js';

function clock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('TokenBucketLimiter', () => {
  it('allows a burst of one minute worth, then refuses with the wait for the next token', () => {
    const c = clock();
    const limiter = new TokenBucketLimiter({ perMinute: 60, now: c.now });
    for (let i = 0; i < 60; i++) assert.equal(limiter.take('a').allowed, true, `request ${i}`);
    const refused = limiter.take('a');
    assert.deepEqual(refused, { allowed: false, retryAfterSeconds: 1 });
  });

  it('refills at the configured rate, never above the burst', () => {
    const c = clock();
    const limiter = new TokenBucketLimiter({ perMinute: 6, now: c.now });
    for (let i = 0; i < 6; i++) limiter.take('a');
    const refused = limiter.take('a');
    assert.equal(refused.allowed, false);
    assert.equal(refused.allowed === false && refused.retryAfterSeconds, 10, 'one token every 10 s');
    c.advance(9_999);
    assert.equal(limiter.take('a').allowed, false);
    c.advance(1);
    assert.equal(limiter.take('a').allowed, true);
    assert.equal(limiter.take('a').allowed, false);
    c.advance(10 * 60_000);
    let allowed = 0;
    while (limiter.take('a').allowed) allowed++;
    assert.equal(allowed, 6, 'an idle hour still only refills the burst');
  });

  it('keeps one bucket per client', () => {
    const c = clock();
    const limiter = new TokenBucketLimiter({ perMinute: 2, now: c.now });
    assert.equal(limiter.take('a').allowed, true);
    assert.equal(limiter.take('a').allowed, true);
    assert.equal(limiter.take('a').allowed, false);
    assert.equal(limiter.take('b').allowed, true);
  });

  it('reports remaining tokens', () => {
    const limiter = new TokenBucketLimiter({ perMinute: 3, now: clock().now });
    assert.deepEqual(limiter.take('a'), { allowed: true, remaining: 2 });
    assert.deepEqual(limiter.take('a'), { allowed: true, remaining: 1 });
    assert.deepEqual(limiter.take('a'), { allowed: true, remaining: 0 });
  });

  it('remembers at most maxClients, forgetting the least recently seen', () => {
    const c = clock();
    const limiter = new TokenBucketLimiter({ perMinute: 1, maxClients: 3, now: c.now });
    for (const id of ['a', 'b', 'c']) limiter.take(id);
    assert.equal(limiter.take('a').allowed, false, 'a is now the most recently seen');
    limiter.take('d');
    assert.equal(limiter.size(), 3);
    assert.equal(limiter.take('b').allowed, true, 'b was forgotten, so it starts full');
    assert.equal(limiter.take('a').allowed, false, 'a was kept');
  });

  it('refuses a nonsensical rate', () => {
    assert.throws(() => new TokenBucketLimiter({ perMinute: 0 }), RangeError);
    assert.throws(() => new TokenBucketLimiter({ perMinute: Number.NaN }), RangeError);
  });
});
