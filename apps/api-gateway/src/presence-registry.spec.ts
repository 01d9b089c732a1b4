import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PredictorHeartbeatMessage } from '@app/contracts';
import { PresenceRegistry } from './presence-registry.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');

function beat(overrides: Partial<PredictorHeartbeatMessage> = {}): PredictorHeartbeatMessage {
  return {
    instance_id: '00000000-0000-4000-8000-000000000001',
    hostname: 'host-a',
    pid: 100,
    model_name: 'match-outcome',
    model_version: 3,
    model_run_id: 'run-3',
    alias: 'champion',
    backend: 'cpu',
    status: 'ready',
    interval_ms: 1000,
    started_at: '2026-01-01T00:00:00.000Z',
    sent_at: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

describe('PresenceRegistry', () => {
  it('lists a predictor with its model, backend and the time it was last heard from', () => {
    const registry = new PresenceRegistry();
    registry.record(beat(), T0 + 250);
    assert.deepEqual(registry.list(T0 + 300), [
      {
        instance_id: '00000000-0000-4000-8000-000000000001',
        hostname: 'host-a',
        pid: 100,
        model_name: 'match-outcome',
        model_version: 3,
        model_run_id: 'run-3',
        alias: 'champion',
        backend: 'cpu',
        started_at: '2026-01-01T00:00:00.000Z',
        last_seen: '2026-01-01T00:00:00.250Z',
      },
    ]);
  });

  it('keeps a predictor through two missed heartbeats and drops it at the third', () => {
    const registry = new PresenceRegistry();
    registry.record(beat({ interval_ms: 1000 }), T0);
    assert.equal(registry.count(T0 + 2999), 1);
    assert.equal(registry.count(T0 + 3000), 0);
  });

  it('expires each predictor by its own interval, and a fresh heartbeat extends it', () => {
    const registry = new PresenceRegistry();
    registry.record(beat({ instance_id: '00000000-0000-4000-8000-00000000000a', interval_ms: 100 }), T0);
    registry.record(beat({ instance_id: '00000000-0000-4000-8000-00000000000b', interval_ms: 10_000 }), T0);
    assert.equal(registry.count(T0 + 1000), 1);
    registry.record(beat({ instance_id: '00000000-0000-4000-8000-00000000000b', interval_ms: 10_000 }), T0 + 25_000);
    assert.equal(registry.count(T0 + 45_000), 1, 'extended by the heartbeat at 25 s');
    assert.equal(registry.count(T0 + 55_000), 0);
  });

  it('drops a predictor at once on its leaving heartbeat, and a late ordinary one does not revive it', () => {
    const registry = new PresenceRegistry();
    registry.record(beat(), T0);
    registry.record(beat({ status: 'leaving' }), T0 + 10);
    assert.equal(registry.count(T0 + 10), 0);
    registry.record(beat(), T0 + 20);
    assert.equal(registry.count(T0 + 20), 0, 'a heartbeat published before leaving, delivered after it');
    // A new process is a new instance id, and is listed as usual.
    registry.record(beat({ instance_id: '00000000-0000-4000-8000-000000000002' }), T0 + 30);
    assert.equal(registry.count(T0 + 30), 1);
  });

  it('lists the oldest predictor first', () => {
    const registry = new PresenceRegistry();
    registry.record(beat({ instance_id: '00000000-0000-4000-8000-00000000000b', started_at: '2026-01-01T00:00:05Z', hostname: 'b' }), T0);
    registry.record(beat({ instance_id: '00000000-0000-4000-8000-00000000000a', started_at: '2026-01-01T00:00:01Z', hostname: 'a' }), T0);
    assert.deepEqual(
      registry.list(T0).map((p) => p.hostname),
      ['a', 'b'],
    );
  });
});
