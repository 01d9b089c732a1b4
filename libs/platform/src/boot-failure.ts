import { inspect } from 'node:util';
import { ConfigError } from './load-config.js';
import { redactUrlCredentials } from './secret-masking.js';

/**
 * What `main.ts` prints when boot fails: the config problems as they are (already masked), anything else
 * inspected with connection-URL passwords masked (a broker client's connect error carries the URL it tried).
 */
export function describeBootFailure(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  return redactUrlCredentials(inspect(error, { depth: 4, breakLength: Infinity }));
}
