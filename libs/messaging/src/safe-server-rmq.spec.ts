import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { mayBeJson, SafeServerRMQ } from './safe-server-rmq.js';

/** Exposes the protected route lookups: ours, and Nest's original. */
class RouteProbe extends SafeServerRMQ {
  ours(pattern: string): string {
    return this.getRouteFromPattern(pattern);
  }
  nests(pattern: string): string {
    let parsed: unknown;
    try {
      parsed = JSON.parse(pattern);
    } catch {
      parsed = pattern;
    }
    return this.normalizePattern(parsed as string);
  }
}

const probe = new RouteProbe({ urls: ['amqp://127.0.0.1:1'], queue: 'unused' });

void describe('SafeServerRMQ route lookup', () => {
  void it('never calls a string that JSON.parse accepts "not JSON"', () => {
    const parses = (text: string) => {
      try {
        JSON.parse(text);
        return true;
      } catch {
        return false;
      }
    };
    const texts = fc.oneof(
      fc.string(),
      fc.json(),
      fc.json().map((j) => ` \n${j}`),
      fc.constantFrom('true', 'false ', 'null\n', 'truex', 'nul', 'task.status.v1', '"task.status.v1"', '{"cmd":"sum"}', '-0', '7'),
    );
    fc.assert(
      fc.property(texts, (text) => {
        if (parses(text)) assert.ok(mayBeJson(text), text);
      }),
      { numRuns: 5000 },
    );
  });

  void it('routes every pattern as Nest does, without a thrown SyntaxError for plain ones', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.constantFrom('task.status.many.v1', '{"cmd":"sum","v":1}', '["a"]', '3')), (pattern) => {
        assert.equal(probe.ours(pattern), probe.nests(pattern));
      }),
      { numRuns: 3000 },
    );
    assert.equal(mayBeJson('task.status.many.v1'), false);
    // A body that is not an envelope reaches the lookup with no pattern at all.
    assert.equal(probe.ours(undefined as unknown as string), probe.nests(undefined as unknown as string));
  });
});
