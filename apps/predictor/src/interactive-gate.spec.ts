import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InteractiveGate } from './interactive-gate.js';

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
});
