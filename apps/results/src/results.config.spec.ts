import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '@app/platform';
import { ResultsConfig } from './results.config.js';

void describe('ResultsConfig', () => {
  void it('has working defaults', () => {
    const config = loadConfig(ResultsConfig, {});
    assert.equal(config.HTTP_PORT, 8002);
    assert.equal(config.REDIS_URL, 'redis://127.0.0.1:6379');
    assert.equal(config.REDIS_KEY_PREFIX, 'mp:');
    assert.equal(config.TASK_TTL_SECONDS, 86_400);
    assert.equal(config.RESULTS_PREFETCH, 64);
  });

  void it('converts numbers from the environment', () => {
    const config = loadConfig(ResultsConfig, { HTTP_PORT: '0', TASK_TTL_SECONDS: '60', RESULTS_PREFETCH: '8' });
    assert.equal(config.HTTP_PORT, 0);
    assert.equal(config.TASK_TTL_SECONDS, 60);
    assert.equal(config.RESULTS_PREFETCH, 8);
  });

  for (const [name, value] of [
    ['REDIS_URL', 'http://127.0.0.1:6379'],
    ['TASK_TTL_SECONDS', '0'],
    ['TASK_TTL_SECONDS', 'soon'],
    ['RESULTS_PREFETCH', '0'],
    ['HTTP_PORT', '70000'],
    ['REDIS_KEY_PREFIX', 'mp prefix'],
  ] as const) {
    void it(`stops on ${name}=${value} with a message naming the variable`, () => {
      assert.throws(
        () => loadConfig(ResultsConfig, { [name]: value }),
        (error: unknown) => error instanceof ConfigError && error.message.includes(name),
      );
    });
  }
});
