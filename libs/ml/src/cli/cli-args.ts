import { isAbsolute, resolve } from 'node:path';
import type { EvaluationSetOptions } from '../evaluation/evaluation-set.loader.js';
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

/** The `--data/--history/--from/--to` flags shared by evaluate and promote. */
export const EVALUATION_SET_FLAGS = {
  data: { type: 'string' },
  history: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
} as const;

export function evaluationSetOptions(values: { data?: string; history?: string; from?: string; to?: string }): EvaluationSetOptions {
  if (values.data === undefined) throw new Error('--data <folder or csv> is required');
  return {
    data: resolvePath(values.data, ''),
    ...(values.history !== undefined ? { history: resolvePath(values.history, '') } : {}),
    ...(values.from !== undefined ? { from: values.from } : {}),
    ...(values.to !== undefined ? { to: values.to } : {}),
  };
}
