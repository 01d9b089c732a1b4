import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IsInt, Matches, Min } from 'class-validator';
import { BaseConfig } from './base.config.js';
import { ConfigError, loadConfig } from './load-config.js';

class SampleConfig extends BaseConfig {
  @IsInt()
  @Min(1)
  SAMPLE_TIMEOUT_MS = 30_000;
}

describe('loadConfig', () => {
  it('applies defaults and converts numbers', () => {
    const config = loadConfig(SampleConfig, { SAMPLE_TIMEOUT_MS: '1500' });
    assert.equal(config.SAMPLE_TIMEOUT_MS, 1500);
    assert.equal(config.AMQP_URL, 'amqp://guest:guest@127.0.0.1:5672');
  });

  it('stops with a message naming every bad variable', () => {
    assert.throws(
      () => loadConfig(SampleConfig, { SAMPLE_TIMEOUT_MS: 'soon', AMQP_URL: 'http://x' }),
      (error: unknown) =>
        error instanceof ConfigError && /SAMPLE_TIMEOUT_MS="soon"/.test(error.message) && /AMQP_URL="http:\/\/x"/.test(error.message),
    );
  });

  it('never shows a secret in its message', () => {
    class SecretConfig extends BaseConfig {
      @Matches(/^[a-z]+$/)
      SERVICE_API_KEY = 'abc';

      @Matches(/^[a-z]+$/)
      SIGNING_SECRET = 'abc';

      @Matches(/^redis:\/\/\S+$/)
      REDIS_URL = 'redis://127.0.0.1:6379';
    }
    assert.throws(
      () =>
        loadConfig(SecretConfig, {
          SERVICE_API_KEY: 'Sup3r-Secret-Key!',
          SIGNING_SECRET: 'Sup3r-Secret-Value!',
          REDIS_URL: 'rediss://admin:Sup3r-Secret-Pass@redis:6380',
          AMQP_URL: 'ampq://guest:Sup3r-Secret-Amqp@rabbit',
        }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.ok(!/Sup3r/.test(error.message), error.message);
        for (const name of ['SERVICE_API_KEY', 'SIGNING_SECRET', 'REDIS_URL', 'AMQP_URL']) assert.match(error.message, new RegExp(`${name}=`));
        assert.match(error.message, /REDIS_URL="rediss:\/\/admin:\*\*\*@redis:6380"/);
        assert.match(error.message, /AMQP_URL="ampq:\/\/guest:\*\*\*@rabbit"/);
        return true;
      },
    );
  });

  it('treats an empty variable as unset', () => {
    assert.equal(loadConfig(SampleConfig, { SAMPLE_TIMEOUT_MS: '' }).SAMPLE_TIMEOUT_MS, 30_000);
  });
});
