import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startChild, stopChild } from './bench-child.js';

/** A real Node child running `script`: what the bench starts is a process, so the test starts one too. */
function node(script: string, readyText: string, timeoutMs?: number) {
  return startChild(process.execPath, ['-e', script], { readyText, timeoutMs });
}

const exited = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
};

describe('bench child processes', () => {
  it('resolves once the child prints its ready text, and stops it with SIGTERM', async () => {
    const child = await node("process.stdout.write('warming\\n'); setTimeout(() => process.stdout.write('ready\\n'), 50); setInterval(() => {}, 1000)", 'ready');
    assert.equal(child.exitCode, null);
    await stopChild(child);
    assert.equal(child.signalCode, 'SIGTERM');
  });

  it('rejects with what the child printed when it exits before it is ready', async () => {
    await assert.rejects(node("console.error('no such port'); process.exit(3)", 'ready'), (error: Error) => {
      assert.match(error.message, /exited 3/);
      assert.match(error.message, /no such port/);
      return true;
    });
  });

  it('rejects when the command cannot be started at all', async () => {
    await assert.rejects(startChild('match-predict-no-such-binary', [], { readyText: 'ready' }), /ENOENT/);
  });

  it('rejects after the timeout and leaves no child running', async () => {
    let pid: number | undefined;
    await assert.rejects(
      node("process.stdout.write(String(process.pid) + ' starting\\n'); setInterval(() => {}, 1000)", 'ready', 200).catch((error: Error) => {
        pid = Number(/(\d+) starting/.exec(error.message)?.[1]);
        throw error;
      }),
      /was not ready within 200 ms/,
    );
    assert.ok(pid !== undefined && pid > 0, 'the error carries what the child printed');
    assert.equal(exited(pid), true);
  });

  it('kills a child that ignores SIGTERM after 5 s, and does nothing for one that is gone', { timeout: 15_000 }, async () => {
    const child = await node("process.on('SIGTERM', () => {}); process.stdout.write('ready\\n'); setInterval(() => {}, 1000)", 'ready');
    const started = Date.now();
    await stopChild(child);
    assert.equal(child.signalCode, 'SIGKILL');
    assert.ok(Date.now() - started >= 4900, `killed after ${Date.now() - started} ms`);
    await stopChild(child);
    await stopChild(undefined);
  });
});
