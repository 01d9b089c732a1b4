// Starts the three apps as separate processes (as they run in production), prefixes their logs, and stops
// them all on Ctrl-C / SIGTERM or when one of them exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..');
const apps = ['results', 'predictor', 'api-gateway'] as const;
const children: ChildProcess[] = [];
let stopping = false;

for (const app of apps) {
  const child = spawn(process.execPath, ['--enable-source-maps', join(dist, 'apps', app, 'src', 'main.js')], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // Each app has its own default port (8000, 8001, 8002); one HTTP_PORT for all three would collide.
    env: { ...process.env, HTTP_PORT: undefined },
  });
  children.push(child);
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => console.log(`[${app}] ${line}`));
  }
  child.on('exit', (code, signal) => {
    console.log(`[${app}] exited (${signal ?? code})`);
    if (!stopping) stop(code === 0 ? 1 : (code ?? 1));
  });
}
console.log('match-predict: gateway on http://127.0.0.1:8000 (predictor :8001, results :8002); Ctrl-C stops all');

function stop(exitCode: number): void {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  const force = setTimeout(() => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL')), 15_000);
  force.unref();
  void Promise.all(children.map((c) => (c.exitCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', r))))).then(() => process.exit(exitCode));
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
