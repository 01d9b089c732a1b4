import { isAbsolute, resolve } from 'node:path';
import { repoRoot } from '../repo-root.js';

/** CLI paths are relative to the working directory when given, else to the repo root. */
export function resolvePath(value: string | undefined, repoRelativeDefault: string): string {
  if (value === undefined) return resolve(repoRoot(), repoRelativeDefault);
  return isAbsolute(value) ? value : resolve(process.cwd(), value);
}

export function parseIntegerOption(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`${flag} expects an integer, got '${value}'`);
  return n;
}
