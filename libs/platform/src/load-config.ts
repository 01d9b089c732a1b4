import 'reflect-metadata';
import { validateSync } from 'class-validator';
import { maskConfigValue } from './secret-masking.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates the environment into a typed config object at boot. A bad value stops the app with a message
 * that names the variable. Defaults live on the class, so the class is the documentation; each variable is
 * converted to the type of its default (numbers stay strings when they do not parse, and fail validation).
 * The message shows each bad value, except secrets: see `maskConfigValue`.
 */
export function loadConfig<T extends object>(type: new () => T, env: NodeJS.ProcessEnv = process.env): T {
  const config = new type();
  const fields = config as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    const raw = env[key];
    if (raw === undefined || raw === '') continue;
    fields[key] = convertLike(fields[key], raw);
  }
  const errors = validateSync(config, { skipMissingProperties: false });
  if (errors.length > 0) {
    throw new ConfigError(
      errors.map((e) => `${e.property}=${shown(e.property, env[e.property])}: ${Object.values(e.constraints ?? {}).join(', ')}`),
    );
  }
  return config;
}

function shown(name: string, raw: string | undefined): string {
  return raw === undefined ? 'null' : JSON.stringify(maskConfigValue(name, raw));
}

function convertLike(defaultValue: unknown, raw: string): unknown {
  if (typeof defaultValue === 'number') {
    const n = Number(raw.trim());
    return raw.trim() !== '' && Number.isFinite(n) ? n : raw;
  }
  if (typeof defaultValue === 'boolean') {
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    return raw;
  }
  return raw;
}
