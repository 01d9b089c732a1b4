import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHARGE_WINDOW_MS, InteractiveGate, SYNC_RECENT_MS } from './interactive-gate.js';

describe('InteractiveGate', () => {
  it('lets async work through at once when no sync request is in flight', async () => {
    const gate = new InteractiveGate();
    const started = Date.now();
    await gate.stepAside(1000);
    assert.ok(Date.now() - started < 100);
  });

  it('holds async work while a sync request is in flight, and releases it when the last one leaves', async () => {
    const gate = new InteractiveGate();
    gate.enter();
    gate.enter();
    let through = false;
    const waiting = gate.stepAside(10_000).then(() => (through = true));
    await new Promise((r) => setTimeout(r, 20));
    gate.leave();
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(through, false, 'one sync request is still in flight');
    gate.leave();
    await waiting;
    assert.equal(through, true);
  });

  it('never holds async work longer than maxWaitMs, so a steady sync load cannot starve it', async () => {
    const gate = new InteractiveGate();
    gate.enter();
    const started = Date.now();
    await gate.stepAside(30);
    const waited = Date.now() - started;
    assert.ok(waited >= 25 && waited < 500, `waited ${waited} ms`);
  });

  it('paces async stages while sync traffic is recent: a stage earns a pause of (1 / share - 1) times its length', async () => {
    const gate = new InteractiveGate(0.25);
    gate.enter();
    gate.leave();
    await gate.paced(() => busy(20));
    const started = performance.now();
    await gate.paced(() => undefined);
    const waited = performance.now() - started;
    assert.ok(waited >= 50 && waited < 500, `waited ${waited.toFixed(0)} ms for a 20 ms stage at share 0.25`);
  });

  it('charges a stage with the CPU spent since the previous stage, so work between stages is paced too', async () => {
    const { gate, clock } = await gateAfterOneStage();
    busy(20); // async work outside any stage: receiving and decoding deliveries, publishing, acking
    clock.cpu += 20;
    await gate.paced(() => undefined);
    const waited = await pauseBeforeNextStage(gate);
    assert.ok(waited >= 50 && waited < 500, `waited ${waited.toFixed(0)} ms after 20 ms of CPU between two instant stages at share 0.25`);
  });

  it('does not charge async stages with the CPU spent while sync requests were in flight', async () => {
    const { gate, clock } = await gateAfterOneStage();
    gate.enter();
    clock.cpu += 20; // scoring a sync request
    gate.leave();
    await gate.paced(() => undefined);
    assert.ok((await pauseBeforeNextStage(gate)) < 15, "no pause for the sync request's CPU");
  });

  it('charges only the stage itself after a lull longer than CHARGE_WINDOW_MS', async () => {
    const { gate, clock } = await gateAfterOneStage();
    await new Promise((r) => setTimeout(r, CHARGE_WINDOW_MS + 20));
    clock.cpu += 1000; // whatever the process did during the lull is not the next stage's
    await gate.paced(() => undefined);
    assert.ok((await pauseBeforeNextStage(gate)) < 15, 'no pause');
  });

  it('does not pace without recent sync traffic, nor with share 1', async () => {
    const noSyncYet = new InteractiveGate(0.25);
    const shareOne = new InteractiveGate(1);
    shareOne.enter();
    await noSyncYet.paced(() => busy(20));
    await shareOne.paced(() => busy(20));
    const started = performance.now();
    await noSyncYet.paced(() => undefined);
    await shareOne.paced(() => undefined);
    assert.ok(performance.now() - started < 15, 'no pause');
  });

  it('stops pacing once sync traffic is older than SYNC_RECENT_MS', async () => {
    const gate = new InteractiveGate(0.5);
    gate.enter();
    gate.leave();
    await new Promise((r) => setTimeout(r, SYNC_RECENT_MS + 20));
    await gate.paced(() => busy(20));
    const started = performance.now();
    await gate.paced(() => undefined);
    assert.ok(performance.now() - started < 15, 'no pause');
  });

  it('reads the CPU clock only while pacing: not for async work alone, nor with share 1', async () => {
    let reads = 0;
    const clock = (): number => (reads += 1);
    const paced = new InteractiveGate(0.25, clock);
    const unpaced = new InteractiveGate(1, clock);
    for (let i = 0; i < 3; i++) await paced.paced(() => undefined);
    unpaced.enter();
    unpaced.leave();
    await unpaced.paced(() => undefined);
    assert.equal(reads, 0, 'no sync traffic, or nothing to pace');
    paced.enter();
    paced.leave();
    assert.equal(reads, 2, 'a sync request is timed in CPU from its delivery to its reply');
    await paced.paced(() => undefined);
    assert.equal(reads, 3, 'a paced stage is charged from the CPU clock');
  });

  it('refuses a share outside (0, 1]', () => {
    for (const share of [0, -1, 1.5, Number.NaN]) assert.throws(() => new InteractiveGate(share), RangeError);
  });
});

/** Holds the thread for `ms`, as a scoring stage does. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

/**
 * A gate at share 0.25 with recent sync traffic, one instant stage already run, and a CPU clock advanced by
 * hand (on a loaded machine a spinning thread gets less CPU than wall time).
 */
async function gateAfterOneStage(): Promise<{ gate: InteractiveGate; clock: { cpu: number } }> {
  const clock = { cpu: 0 };
  const gate = new InteractiveGate(0.25, () => clock.cpu);
  gate.enter();
  gate.leave();
  await gate.paced(() => undefined);
  return { gate, clock };
}

/** How long an instant stage waits for the pause the stages before it earned (ms). */
async function pauseBeforeNextStage(gate: InteractiveGate): Promise<number> {
  const started = performance.now();
  await gate.paced(() => undefined);
  return performance.now() - started;
}
