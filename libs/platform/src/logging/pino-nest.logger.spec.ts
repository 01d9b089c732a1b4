import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Logger } from '@nestjs/common';
import { PinoNestLogger, toLine } from './pino-nest.logger.js';
import { initLogging } from './root-logger.js';

type Line = Record<string, unknown>;

function capture(level: 'log' | 'debug' | 'verbose' | 'warn'): Line[] {
  const lines: Line[] = [];
  initLogging({ app: 'nest-test', level, destination: { write: (text: string) => void lines.push(JSON.parse(text) as Line) } });
  return lines;
}

describe('PinoNestLogger', () => {
  it("takes Nest's context, stack and object arguments apart", () => {
    assert.deepEqual(toLine('hello', []), { context: undefined, fields: undefined, msg: 'hello' });
    assert.deepEqual(toLine('hello', ['Ctx']), { context: 'Ctx', fields: undefined, msg: 'hello' });
    assert.deepEqual(toLine('boom', [undefined, 'Ctx']), { context: 'Ctx', fields: undefined, msg: 'boom' });
    const stack = 'Error: boom\n    at f (file.js:1:2)';
    assert.deepEqual(toLine('boom', [stack, 'Ctx']), { context: 'Ctx', fields: { stack }, msg: 'boom' });
    assert.deepEqual(toLine('boom', [stack]), { context: undefined, fields: { stack }, msg: 'boom' });
    assert.deepEqual(toLine('late', [{ task_id: 't' }, 'Ctx']), { context: 'Ctx', fields: { task_id: 't' }, msg: 'late' });
    assert.deepEqual(toLine({ msg: 'as object', match_id: 3 }, []), { context: undefined, fields: { match_id: 3 }, msg: 'as object' });
    assert.deepEqual(toLine(42, ['extra', 'Ctx']), { context: 'Ctx', fields: undefined, msg: '42 extra' });
  });

  it("routes `new Logger(Ctx)` call sites and Nest's static logger through pino, levels mapped", () => {
    const lines = capture('debug');
    Logger.overrideLogger(new PinoNestLogger());
    const logger = new Logger('InferenceService');
    logger.log('started');
    logger.warn('could not note task as queued', { task_id: 't-9' });
    logger.error('could not abandon', 'Error: x\n    at y (z.js:1:1)');
    logger.debug('details');
    logger.verbose('very detailed');
    Logger.log('static line');
    assert.deepEqual(
      lines.map((l) => [l.level, l.context, l.msg]),
      [
        ['info', 'InferenceService', 'started'],
        ['warn', 'InferenceService', 'could not note task as queued'],
        ['error', 'InferenceService', 'could not abandon'],
        ['debug', 'InferenceService', 'details'],
        ['info', undefined, 'static line'],
      ],
    );
    assert.equal(lines[1]!.task_id, 't-9');
    assert.match(String(lines[2]!.stack), /at y/);
    assert.equal(lines[0]!.app, 'nest-test');
  });

  it('writes verbose as trace when LOG_LEVEL=verbose, and nothing below warn at warn', () => {
    const verbose = capture('verbose');
    const nest = new PinoNestLogger();
    nest.verbose('v', 'Ctx');
    assert.deepEqual(verbose.map((l) => l.level), ['trace']);
    const warn = capture('warn');
    nest.log('l', 'Ctx');
    nest.debug('d', 'Ctx');
    nest.warn('w', 'Ctx');
    nest.fatal('f', 'Ctx');
    assert.deepEqual(warn.map((l) => [l.level, l.msg]), [['warn', 'w'], ['fatal', 'f']]);
  });
});
