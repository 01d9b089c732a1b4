import { hostname } from 'node:os';
import pino, { type Logger } from 'pino';
import { lineLevelOf, type LogLevelName } from './log-level.js';

/** Where log lines go: anything with a `write(line)`; stdout unless a test captures them. */
export interface LogDestination {
  write(line: string): void;
}

export interface LoggingOptions {
  /** The `app` field of every line. */
  app: string;
  level: LogLevelName;
  destination?: LogDestination;
}

let root: Logger | undefined;
let stdout: LogDestination | undefined;

/**
 * Sets the process-wide logger: one JSON object per line with `level` (a label, not pino's number), `time`
 * (ISO 8601), `pid`, `hostname`, `app`, then `context`, any structured fields, and `msg`. Called by
 * `createHttpApp`; calling it again replaces the logger (in-process tests boot several apps).
 */
export function initLogging(options: LoggingOptions): void {
  root = pino(
    {
      level: lineLevelOf(options.level),
      base: { pid: process.pid, hostname: hostname(), app: options.app },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? stdoutDestination(),
  );
}

export function isLoggingInitialised(): boolean {
  return root !== undefined;
}

/** The current logger (a new object whenever `initLogging` runs); before it, one at `info` for an unnamed app. */
export function rootLogger(): Logger {
  if (!root) initLogging({ app: 'match-predict', level: 'log' });
  return root as Logger;
}

/**
 * Asynchronous writes to fd 1 (the event loop never waits on a slow log reader), shared by every logger of
 * the process. pino registers it to be flushed synchronously on `exit`, so `process.exit` (a boot failure,
 * Nest's shutdown with `useProcessExit`) or a crash loses nothing already logged. Calling `flush()` right
 * before `process.exit` would be worse: it starts a write the exit may cut short.
 */
function stdoutDestination(): LogDestination {
  stdout ??= pino.destination({ dest: 1, sync: false });
  return stdout;
}
