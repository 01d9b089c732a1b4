import { inspect } from 'node:util';
import { ConfigError } from './load-config.js';
import { AppLogger } from './logging/app-logger.js';
import { initLogging, isLoggingInitialised } from './logging/root-logger.js';
import { redactUrlCredentials } from './secret-masking.js';

/**
 * What `main.ts` reports when boot fails: the config problems as they are (already masked), anything else
 * inspected with connection-URL passwords masked (a broker client's connect error carries the URL it tried).
 */
export function describeBootFailure(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  return redactUrlCredentials(inspect(error, { depth: 4, breakLength: Infinity }));
}

/**
 * `main.ts`'s catch: one `fatal` JSON line, then exit 1 (the pending log lines are flushed on exit). A config
 * failure comes before the logger is set up, so it is set up here with the app's name.
 */
export function exitOnBootFailure(app: string, error: unknown): never {
  if (!isLoggingInitialised()) initLogging({ app, level: 'log' });
  AppLogger.for('bootstrap').fatal(`boot failed: ${describeBootFailure(error)}`);
  process.exit(1);
}
