/**
 * Accepted `LOG_LEVEL` values: Nest's names (the original ones, still the documented default) and pino's,
 * most severe first. `log` is pino's `info`, `verbose` is pino's `trace`.
 */
export const LOG_LEVEL_NAMES = ['fatal', 'error', 'warn', 'log', 'info', 'debug', 'verbose', 'trace'] as const;

export type LogLevelName = (typeof LOG_LEVEL_NAMES)[number];

/** The level names a log line carries (pino's labels). */
export type LineLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

const LINE_LEVEL: Record<LogLevelName, LineLevel> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  info: 'info',
  debug: 'debug',
  verbose: 'trace',
  trace: 'trace',
};

/** The level a `LOG_LEVEL` value (or a Nest logger method name) writes and filters at. */
export function lineLevelOf(name: LogLevelName): LineLevel {
  return LINE_LEVEL[name];
}

export function isLogLevelName(value: unknown): value is LogLevelName {
  return typeof value === 'string' && (LOG_LEVEL_NAMES as readonly string[]).includes(value);
}
