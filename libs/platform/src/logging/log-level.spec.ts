import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BaseConfig } from '../base.config.js';
import { ConfigError, loadConfig } from '../load-config.js';
import { isLogLevelName, lineLevelOf, LOG_LEVEL_NAMES } from './log-level.js';

describe('log levels', () => {
  it("maps Nest's names onto pino's and keeps pino's own", () => {
    const mapped = Object.fromEntries(LOG_LEVEL_NAMES.map((name) => [name, lineLevelOf(name)]));
    assert.deepEqual(mapped, {
      fatal: 'fatal',
      error: 'error',
      warn: 'warn',
      log: 'info',
      info: 'info',
      debug: 'debug',
      verbose: 'trace',
      trace: 'trace',
    });
  });

  it('lists the names most severe first, so each maps to a level no more severe than the one before', () => {
    const order = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];
    const ranks = LOG_LEVEL_NAMES.map((name) => order.indexOf(lineLevelOf(name)));
    assert.deepEqual([...ranks].sort((a, b) => a - b), ranks);
  });

  it('accepts every earlier LOG_LEVEL value and the pino names, defaulting to log; refuses others by name', () => {
    assert.equal(loadConfig(BaseConfig, {}).LOG_LEVEL, 'log');
    for (const value of ['error', 'warn', 'log', 'debug', 'verbose', 'fatal', 'info', 'trace']) {
      assert.equal(loadConfig(BaseConfig, { LOG_LEVEL: value }).LOG_LEVEL, value);
      assert.ok(isLogLevelName(value));
    }
    for (const value of ['loud', 'INFO', 'silent']) {
      assert.ok(!isLogLevelName(value));
      assert.throws(
        () => loadConfig(BaseConfig, { LOG_LEVEL: value }),
        (error: unknown) => error instanceof ConfigError && error.message.includes(`LOG_LEVEL="${value}"`),
      );
    }
  });
});
