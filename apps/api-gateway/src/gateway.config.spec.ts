import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '@app/platform';
import { GatewayConfig } from './gateway.config.js';

describe('GatewayConfig', () => {
  it('has auth off and a rate limit on by default', () => {
    const config = loadConfig(GatewayConfig, {});
    assert.deepEqual(config.apiKeys(), []);
    assert.equal(config.RATE_LIMIT_PER_MINUTE, 600);
  });

  it('reads comma-separated API keys', () => {
    const config = loadConfig(GatewayConfig, { API_KEYS: 'key-one-0123456789ab, key-two-0123456789ab', RATE_LIMIT_PER_MINUTE: '0' });
    assert.deepEqual(config.apiKeys(), ['key-one-0123456789ab', 'key-two-0123456789ab']);
    assert.equal(config.RATE_LIMIT_PER_MINUTE, 0);
  });

  it('refuses short or malformed keys without showing them', () => {
    for (const bad of ['short', 'key-one-0123456789ab,', 'key with blanks in it 0123']) {
      assert.throws(
        () => loadConfig(GatewayConfig, { API_KEYS: bad }),
        (error: unknown) => error instanceof ConfigError && /API_KEYS=/.test(error.message) && !error.message.includes(bad),
      );
    }
    assert.throws(() => loadConfig(GatewayConfig, { RATE_LIMIT_PER_MINUTE: '-1' }), ConfigError);
  });
});
