#!/usr/bin/env node
// Runs the compiled tests of one tier (unit | int | e2e | ops | faults | all) with Node's built-in test runner.
// Tests are TypeScript compiled by the same `tsc` build as the apps, so they exercise exactly what ships.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const TIERS = {
  unit: (f) => f.endsWith('.spec.js') && !f.endsWith('.int-spec.js') && !f.endsWith('.e2e-spec.js'),
  int: (f) => f.endsWith('.int-spec.js'),
  e2e: (f) => f.endsWith('.e2e-spec.js'),
  // The operations stack against a real Prometheus (scripts/ensure-prometheus.sh installs it).
  ops: (f) => f.endsWith('.ops-spec.js'),
  faults: (f) => f.endsWith('.fault-spec.js'),
};
const tier = process.argv[2] ?? 'all';
const selected = tier === 'all' ? ['unit', 'int', 'e2e', 'ops', 'faults'] : [tier];
if (!selected.every((t) => t in TIERS)) {
  console.error(`usage: run-tests.mjs unit|int|e2e|ops|faults|all (got ${tier})`);
  process.exit(2);
}
// TEST_OUT_DIR lets a developer test another build output than dist/ (e.g. while dist/ is being rebuilt).
const out = process.env.TEST_OUT_DIR ?? 'dist';
if (!existsSync(out)) {
  console.error(`${out}/ is missing: run \`npm run build\` first (npm test does it for you).`);
  process.exit(2);
}

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const all = walk(out).map((f) => relative('.', f));
let failed = false;
for (const t of selected) {
  const files = all.filter(TIERS[t]).sort();
  if (files.length === 0) {
    console.error(`no ${t} tests found`);
    failed = true;
    continue;
  }
  console.log(`\n=== ${t} tests (${files.length} files) ===`);
  // Integration and e2e tests share one broker and one Redis on a 2-core machine: run their files one at a time.
  const concurrency = t === 'unit' ? 2 : 1;
  const result = spawnSync(
    process.execPath,
    ['--enable-source-maps', '--test', `--test-concurrency=${concurrency}`, `--test-timeout=${t === 'faults' ? 900_000 : 180_000}`, ...files],
    { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
  );
  if (result.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
