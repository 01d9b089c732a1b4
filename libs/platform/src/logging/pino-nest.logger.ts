import { inspect } from 'node:util';
import type { LoggerService } from '@nestjs/common';
import type { Logger } from 'pino';
import type { LineLevel } from './log-level.js';
import { rootLogger } from './root-logger.js';

const STACK = /\n\s*at /;

/**
 * Nest's logger, backed by the process logger, so Nest's own lines and every `new Logger(Ctx)` call site
 * come out as the same JSON lines as `AppLogger`'s. Follows Nest's calling convention: the last string
 * argument is the context (`Logger` instances append theirs), `error(message, stack?, context?)` carries a
 * stack. A plain object among the arguments becomes structured fields: `logger.warn('late', { task_id })`.
 */
export class PinoNestLogger implements LoggerService {
  private readonly byContext = new Map<string, Logger>();
  private contextsOf: Logger | undefined;

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  private write(level: LineLevel, message: unknown, params: unknown[]): void {
    const root = rootLogger();
    // Filtered lines cost one comparison: nothing below is built for them.
    if (!root.isLevelEnabled(level)) return;
    const line = toLine(message, params);
    const logger = line.context === undefined ? root : this.loggerFor(root, line.context);
    if (line.fields === undefined) logger[level](line.msg);
    else logger[level](line.fields, line.msg);
  }

  private loggerFor(root: Logger, context: string): Logger {
    if (this.contextsOf !== root) {
      this.byContext.clear();
      this.contextsOf = root;
    }
    let logger = this.byContext.get(context);
    if (!logger) {
      logger = root.child({ context });
      this.byContext.set(context, logger);
    }
    return logger;
  }
}

interface Line {
  context: string | undefined;
  fields: Record<string, unknown> | undefined;
  msg: string;
}

/** Splits Nest's `(message, ...params)` into context, structured fields and the message text. */
export function toLine(message: unknown, params: readonly unknown[]): Line {
  const rest = params.slice();
  const last = rest.at(-1);
  const context = typeof last === 'string' && !STACK.test(last) ? last : undefined;
  if (context !== undefined) rest.pop();

  let fields: Record<string, unknown> | undefined;
  const addFields = (more: Record<string, unknown>) => {
    fields = { ...fields, ...more };
  };
  let msg: string;
  if (typeof message === 'string') msg = message;
  else if (message instanceof Error) {
    msg = message.message;
    addFields({ err: message });
  } else if (isPlainObject(message)) {
    const { msg: text, message: alt, ...others } = message;
    msg = typeof text === 'string' ? text : typeof alt === 'string' ? alt : '';
    addFields(others);
  } else msg = textOf(message);

  for (const param of rest) {
    if (param === undefined) continue;
    if (typeof param === 'string') {
      if (STACK.test(param)) addFields({ stack: param });
      else msg = `${msg} ${param}`;
    } else if (param instanceof Error) addFields({ err: param });
    else if (isPlainObject(param)) addFields(param);
    else msg = `${msg} ${textOf(param)}`;
  }
  return { context, fields, msg };
}

function textOf(value: unknown): string {
  return typeof value === 'object' && value !== null ? inspect(value, { depth: 3, breakLength: Infinity }) : String(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
