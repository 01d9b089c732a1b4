import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeBootFailure } from './boot-failure.js';
import { ConfigError } from './load-config.js';

describe('describeBootFailure', () => {
  it('masks the password of a connect failure that carries its URL (as a Nest RMQ client rejects)', () => {
    const rejection = { err: new Error('connect ECONNREFUSED 127.0.0.1:5672'), url: 'amqp://guest:s3cret@127.0.0.1:5672' };
    const text = describeBootFailure(rejection);
    assert.ok(!text.includes('s3cret'), text);
    assert.match(text, /amqp:\/\/guest:\*\*\*@127\.0\.0\.1:5672/);
    assert.match(text, /ECONNREFUSED/);
  });

  it('prints config problems as they are (already masked)', () => {
    assert.equal(describeBootFailure(new ConfigError(['A_MS="x": must be an integer'])), 'invalid configuration:\n  - A_MS="x": must be an integer');
  });
});
