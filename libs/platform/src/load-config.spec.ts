import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IsInt, Min } from 'class-validator';
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

  it('treats an empty variable as unset', () => {
    assert.equal(loadConfig(SampleConfig, { SAMPLE_TIMEOUT_MS: '' }).SAMPLE_TIMEOUT_MS, 30_000);
  });
});
