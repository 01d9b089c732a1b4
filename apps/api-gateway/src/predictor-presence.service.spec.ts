import 'reflect-metadata';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Patterns } from '@app/contracts';
import { encodeEvent, type BrokerTopology } from '@app/messaging';
import { Gauge, Registry } from 'prom-client';
import { PredictorPresenceService } from './predictor-presence.service.js';

const heartbeat = {
  instance_id: '6f1c2b7e-0d7a-4a55-9a53-2f3f8f0c9a01',
  hostname: 'host-a',
  pid: 4242,
  model_name: 'match-outcome',
  model_version: 2,
  model_run_id: 'run-2',
  alias: null,
  backend: 'wasm',
  status: 'ready',
  interval_ms: 1000,
  started_at: '2026-01-01T00:00:00.000Z',
  sent_at: '2026-01-01T00:00:01.000Z',
};

function service(): { presence: PredictorPresenceService; up: Gauge } {
  const up = new Gauge({ name: 'predictors_up', help: 'test', registers: [new Registry()] });
  // The broker is not used until bootstrap; receive() is driven directly here.
  const presence = new PredictorPresenceService({ url: 'amqp://unused' }, {} as BrokerTopology, up);
  return { presence, up };
}

async function gaugeValue(gauge: Gauge): Promise<number | undefined> {
  return (await gauge.get()).values[0]?.value;
}

describe('PredictorPresenceService.receive', () => {
  it('validates a heartbeat, lists its predictor and counts it in predictors_up', async () => {
    const { presence, up } = service();
    presence.receive(encodeEvent(Patterns.predictorHeartbeat, heartbeat));
    const [listed] = presence.predictors();
    assert.equal(listed?.instance_id, heartbeat.instance_id);
    assert.equal(listed?.alias, null);
    assert.equal(listed?.backend, 'wasm');
    assert.equal(await gaugeValue(up), 1);
  });

  it('ignores other patterns, broken JSON and invalid heartbeats', async () => {
    const { presence, up } = service();
    presence.receive(encodeEvent('task.started.v1', heartbeat));
    presence.receive(Buffer.from('{not json'));
    presence.receive(encodeEvent(Patterns.predictorHeartbeat, { ...heartbeat, pid: 'x' }));
    presence.receive(encodeEvent(Patterns.predictorHeartbeat, { ...heartbeat, status: 'sleeping' }));
    presence.receive(encodeEvent(Patterns.predictorHeartbeat, { ...heartbeat, extra: 1 }));
    const { alias: _alias, ...withoutAlias } = heartbeat;
    presence.receive(encodeEvent(Patterns.predictorHeartbeat, withoutAlias));
    assert.deepEqual(presence.predictors(), []);
    assert.equal(await gaugeValue(up), 0);
  });

  it('drops a predictor on its leaving heartbeat and lowers the gauge', async () => {
    const { presence, up } = service();
    presence.receive(encodeEvent(Patterns.predictorHeartbeat, heartbeat));
    presence.receive(encodeEvent(Patterns.predictorHeartbeat, { ...heartbeat, status: 'leaving' }));
    assert.equal(presence.predictors().length, 0);
    assert.equal(await gaugeValue(up), 0);
  });
});
