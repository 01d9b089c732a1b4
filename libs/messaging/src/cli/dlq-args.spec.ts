import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_LIST_LIMIT, UsageError, parseDlqArgs, parseDlqEnv } from './dlq-args.js';

void describe('parseDlqArgs', () => {
  void it('parses every command', () => {
    assert.deepEqual(parseDlqArgs(['list']), { name: 'list', limit: DEFAULT_LIST_LIMIT, json: false });
    assert.deepEqual(parseDlqArgs(['list', '--limit', '5', '--json']), { name: 'list', limit: 5, json: true });
    assert.deepEqual(parseDlqArgs(['show', 'abc', '--json']), { name: 'show', id: 'abc', json: true });
    assert.deepEqual(parseDlqArgs(['replay', 'abc']), { name: 'replay', id: 'abc', reason: null, force: false });
    assert.deepEqual(parseDlqArgs(['replay', '--all', '--reason', ' fixed ', '--force']), { name: 'replay', id: null, reason: 'fixed', force: true });
    assert.deepEqual(parseDlqArgs(['purge']), { name: 'purge', yes: false });
    assert.deepEqual(parseDlqArgs(['purge', '--yes']), { name: 'purge', yes: true });
    assert.deepEqual(parseDlqArgs(['purge', '-y']), { name: 'purge', yes: true });
    assert.deepEqual(parseDlqArgs(['--help']), { name: 'help' });
    assert.deepEqual(parseDlqArgs(['help']), { name: 'help' });
  });

  for (const argv of [
    [],
    ['frobnicate'],
    ['list', 'extra'],
    ['list', '--limit', '0'],
    ['list', '--limit', '1.5'],
    ['list', '--limit', 'x'],
    ['list', '--yes'],
    ['show'],
    ['show', 'a', 'b'],
    ['replay'],
    ['replay', 'a', '--all'],
    ['replay', 'a', '--reason', ''],
    ['replay', 'a', '--reason', 'r'.repeat(501)],
    ['replay', 'a', '--json'],
    ['purge', '--force'],
    ['purge', 'now'],
    ['list', '--unknown'],
  ]) {
    void it(`refuses ${JSON.stringify(argv)}`, () => {
      assert.throws(() => parseDlqArgs(argv), UsageError);
    });
  }
});

void describe('parseDlqEnv', () => {
  void it('has the defaults of .env.example', () => {
    assert.deepEqual(parseDlqEnv({}), { amqpUrl: 'amqp://guest:guest@127.0.0.1:5672', queuePrefix: '', rpcTimeoutMs: 5000 });
    assert.deepEqual(parseDlqEnv({ AMQP_URL: 'amqps://u:p@h/v', QUEUE_PREFIX: 'staging.', RESULTS_RPC_TIMEOUT_MS: '800' }), {
      amqpUrl: 'amqps://u:p@h/v',
      queuePrefix: 'staging.',
      rpcTimeoutMs: 800,
    });
  });

  for (const [name, value] of [
    ['AMQP_URL', 'http://h'],
    ['QUEUE_PREFIX', 'a b'],
    ['RESULTS_RPC_TIMEOUT_MS', 'soon'],
    ['RESULTS_RPC_TIMEOUT_MS', '10'],
  ] as const) {
    void it(`names ${name} when it is ${value}`, () => {
      assert.throws(() => parseDlqEnv({ [name]: value }), (error: unknown) => error instanceof UsageError && error.message.includes(name));
    });
  }
});
