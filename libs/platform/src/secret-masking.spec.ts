import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { maskConfigValue, redactUrlCredentials } from './secret-masking.js';

describe('maskConfigValue', () => {
  it('hides whole values of *_KEY, *_KEYS, *_SECRET, *_TOKEN and *_PASSWORD variables', () => {
    for (const name of ['API_KEY', 'API_KEYS', 'JWT_SECRET', 'GITHUB_TOKEN', 'REDIS_PASSWORD', 'api_keys']) {
      const shown = maskConfigValue(name, 'hunter2-hunter2-hunter2');
      assert.ok(!shown.includes('hunter2'), `${name}: ${shown}`);
      assert.match(shown, /hidden, 23 characters/);
    }
  });

  it('masks the password of *_URL variables and keeps the rest readable', () => {
    assert.equal(maskConfigValue('AMQP_URL', 'amqp://guest:s3cret@rabbit:5672/vhost'), 'amqp://guest:***@rabbit:5672/vhost');
    assert.equal(maskConfigValue('REDIS_URL', 'rediss://:s3cret@redis:6380'), 'rediss://:***@redis:6380');
    assert.equal(maskConfigValue('REDIS_URL', 'redis://s3cret@redis'), 'redis://***@redis');
    assert.equal(maskConfigValue('AMQP_URL', 'amqp://user:p@ss/w#rd@host'), 'amqp://user:***@host');
    assert.equal(maskConfigValue('AMQP_URL', 'http://x'), 'http://x');
    assert.equal(maskConfigValue('REDIS_URL', 'redis://127.0.0.1:6379'), 'redis://127.0.0.1:6379');
  });

  it('leaves other variables alone', () => {
    assert.equal(maskConfigValue('SYNC_TIMEOUT_MS', 'soon'), 'soon');
    assert.equal(maskConfigValue('MODEL_REF', 'match-outcome@champion'), 'match-outcome@champion');
  });
});

describe('redactUrlCredentials', () => {
  it('masks every URL password in free text', () => {
    const text = "{ err: Error: connect ECONNREFUSED, url: 'amqp://guest:s3cret@10.0.0.1:5672' } and redis://:tok@r:6379";
    const out = redactUrlCredentials(text);
    assert.ok(!out.includes('s3cret') && !out.includes('tok@'), out);
    assert.match(out, /amqp:\/\/guest:\*\*\*@10\.0\.0\.1:5672/);
  });
});
