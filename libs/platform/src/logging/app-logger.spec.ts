import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { AppLogger } from './app-logger.js';
import type { LogLevelName } from './log-level.js';
import { initLogging } from './root-logger.js';

type Line = Record<string, unknown>;

/** Points the process logger at an array for the test; returns the parsed lines as they come. */
function capture(level: LogLevelName, app = 'test-app'): Line[] {
  const lines: Line[] = [];
  initLogging({
    app,
    level,
    destination: {
      write(text: string) {
        assert.ok(text.endsWith('\n') && !text.slice(0, -1).includes('\n'), `one line per entry: ${JSON.stringify(text)}`);
        lines.push(JSON.parse(text) as Line);
      },
    },
  });
  return lines;
}

describe('AppLogger', () => {
  it('writes one JSON line with time, level label, app, pid, hostname, context, msg and the fields as top-level keys', () => {
    const lines = capture('log');
    const before = Date.now();
    AppLogger.for('TaskConsumer').info('task scored', { task_id: 't-1', correlation_id: 'abc-123', match_id: 42, attempt: 2, pattern: 'prediction.requested.v1' });
    assert.equal(lines.length, 1);
    const line = lines[0]!;
    assert.deepEqual(Object.keys(line), ['level', 'time', 'pid', 'hostname', 'app', 'context', 'task_id', 'correlation_id', 'match_id', 'attempt', 'pattern', 'msg']);
    assert.equal(line.level, 'info');
    assert.match(String(line.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(Date.parse(String(line.time)) >= before - 1 && Date.parse(String(line.time)) <= Date.now());
    assert.equal(line.pid, process.pid);
    assert.equal(line.hostname, hostname());
    assert.equal(line.app, 'test-app');
    assert.equal(line.context, 'TaskConsumer');
    assert.equal(line.msg, 'task scored');
    assert.deepEqual([line.task_id, line.correlation_id, line.match_id, line.attempt, line.pattern], ['t-1', 'abc-123', 42, 2, 'prediction.requested.v1']);
  });

  it('drops lines below the level and reports which levels are on', () => {
    const lines = capture('warn');
    const log = AppLogger.for('X');
    log.debug('d');
    log.info('i');
    log.warn('w', { task_id: 't' });
    log.error('e');
    log.fatal('f');
    assert.deepEqual(lines.map((l) => [l.level, l.msg]), [['warn', 'w'], ['error', 'e'], ['fatal', 'f']]);
    assert.equal(log.isEnabled('info'), false);
    assert.equal(log.isEnabled('warn'), true);
  });

  it('writes debug lines at LOG_LEVEL=debug, and nothing above trace at verbose is lost', () => {
    const lines = capture('verbose');
    AppLogger.for('X').debug('d');
    assert.deepEqual(lines.map((l) => l.level), ['debug']);
    assert.equal(AppLogger.for('X').isEnabled('trace'), true);
  });

  it('serialises an Error under err with its type, message and stack', () => {
    const lines = capture('log');
    AppLogger.for('X').error('failed', { task_id: 't', err: new RangeError('bad attempt') });
    const err = lines[0]!.err as Record<string, unknown>;
    assert.equal(err.type, 'RangeError');
    assert.equal(err.message, 'bad attempt');
    assert.match(String(err.stack), /RangeError: bad attempt\n\s+at /);
  });

  it('follows the process logger when it is replaced, even for a logger created before', () => {
    const early = AppLogger.for('Early');
    const first = capture('log', 'first');
    early.info('one');
    const second = capture('log', 'second');
    early.info('two');
    assert.deepEqual(first.map((l) => [l.app, l.msg]), [['first', 'one']]);
    assert.deepEqual(second.map((l) => [l.app, l.context, l.msg]), [['second', 'Early', 'two']]);
  });

  it('keeps a message with quotes and newlines on one valid JSON line', () => {
    const lines = capture('log');
    AppLogger.for('X').warn('a "quoted"\nsecond line', { note: 'tab\there' });
    assert.equal(lines[0]!.msg, 'a "quoted"\nsecond line');
    assert.equal(lines[0]!.note, 'tab\there');
  });
});
