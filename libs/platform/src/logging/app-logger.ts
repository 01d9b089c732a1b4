import type { Logger } from 'pino';
import type { LineLevel } from './log-level.js';
import { rootLogger } from './root-logger.js';

/**
 * Structured fields of one log line, written as top-level JSON keys: `task_id`, `correlation_id`,
 * `match_id`, `attempt`, `pattern`, ... An Error under `err` is written as `{type, message, stack}`.
 */
export type LogFields = Readonly<Record<string, unknown>>;

/** What app code logs through; no pino types, so the backend can change without touching call sites. */
export interface AppLog {
  fatal(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
  /** Check before building costly fields on a hot path. */
  isEnabled(level: LineLevel): boolean;
}

/**
 * `AppLogger.for('TaskConsumer').info('task scored', { task_id, correlation_id })`. Cheap to create at module
 * or class level: the logger binds to the process logger on first use (and again if it is replaced).
 */
export class AppLogger implements AppLog {
  private bound: Logger | undefined;
  private boundTo: Logger | undefined;

  private constructor(readonly context: string) {}

  static for(context: string): AppLogger {
    return new AppLogger(context);
  }

  fatal(msg: string, fields?: LogFields): void {
    this.write('fatal', msg, fields);
  }

  error(msg: string, fields?: LogFields): void {
    this.write('error', msg, fields);
  }

  warn(msg: string, fields?: LogFields): void {
    this.write('warn', msg, fields);
  }

  info(msg: string, fields?: LogFields): void {
    this.write('info', msg, fields);
  }

  debug(msg: string, fields?: LogFields): void {
    this.write('debug', msg, fields);
  }

  isEnabled(level: LineLevel): boolean {
    return this.logger().isLevelEnabled(level);
  }

  private write(level: LineLevel, msg: string, fields: LogFields | undefined): void {
    const logger = this.logger();
    if (fields === undefined) logger[level](msg);
    else logger[level](fields, msg);
  }

  /** A child with `context` bound: pino serialises the binding once, not per line. */
  private logger(): Logger {
    const root = rootLogger();
    if (this.boundTo !== root || !this.bound) {
      this.bound = root.child({ context: this.context });
      this.boundTo = root;
    }
    return this.bound;
  }
}
