import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Walks up from `from` (a file URL or path; default: this module) to the first folder holding a
 * `package.json`. Works the same from `libs/ml/src` (ts) and `dist/libs/ml/src` (compiled), since
 * `dist/` has no package.json of its own.
 */
export function repoRoot(from: string = import.meta.url): string {
  let dir = from.startsWith('file:') ? dirname(fileURLToPath(from)) : from;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No package.json found above ${from}`);
    dir = parent;
  }
}
