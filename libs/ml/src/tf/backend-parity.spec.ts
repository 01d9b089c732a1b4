import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { before, describe, it } from 'node:test';
import { repoRoot } from '../repo-root.js';
import type { BackendProbeOutput } from '../testing/backend-probe.cli.js';
import type { TfBackendName } from './tf-backend.js';

const PROBE = fileURLToPath(new URL('../testing/backend-probe.cli.js', import.meta.url));
const TOLERANCE = 1e-5;
const REGISTRY = join(repoRoot(), 'models');

async function probe(backend: TfBackendName): Promise<BackendProbeOutput> {
  const { stdout } = await promisify(execFile)(process.execPath, [PROBE, '--backend', backend, '--registry', REGISTRY]);
  return JSON.parse(stdout) as BackendProbeOutput;
}

function maxAbsDiff(a: number[][], b: number[][]): number {
  assert.equal(a.length, b.length);
  let max = 0;
  a.forEach((row, r) => row.forEach((p, c) => (max = Math.max(max, Math.abs(p - b[r]![c]!)))));
  return max;
}

function nativeInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

/** The shipped champion must give the same probabilities whichever backend initTfBackend picks on a machine. */
describe('backend parity of the shipped champion', () => {
  let cpu: BackendProbeOutput;
  let wasm: BackendProbeOutput;
  before(async () => {
    // One process per backend: the choice is made once per process.
    [cpu, wasm] = await Promise.all([probe('cpu'), probe('wasm')]);
  });

  it(`cpu and wasm agree within ${TOLERANCE} absolute`, (t) => {
    assert.equal(cpu.backend, 'cpu');
    assert.equal(wasm.backend, 'wasm', 'wasm fell back to another backend: the comparison would be vacuous');
    assert.equal(cpu.model, wasm.model);
    assert.equal(cpu.probabilities.length, 64);
    const diff = maxAbsDiff(cpu.probabilities, wasm.probabilities);
    t.diagnostic(`${cpu.model}: max |p_cpu - p_wasm| = ${diff.toExponential(2)} over ${cpu.probabilities.length} x 3 probabilities`);
    assert.ok(diff < TOLERANCE, `max abs diff ${diff}`);
  });

  const native = nativeInstalled();
  it('tfjs-node agrees with cpu too', { skip: native ? false : '@tensorflow/tfjs-node is not installed: only wasm and cpu were compared' }, async (t) => {
    const tensorflow = await probe('tensorflow');
    assert.equal(tensorflow.backend, 'tensorflow');
    const diff = maxAbsDiff(cpu.probabilities, tensorflow.probabilities);
    t.diagnostic(`max |p_cpu - p_tensorflow| = ${diff.toExponential(2)}`);
    assert.ok(diff < TOLERANCE, `max abs diff ${diff}`);
  });
});
