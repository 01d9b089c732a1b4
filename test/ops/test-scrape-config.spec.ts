import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { testScrapeConfig } from './test-scrape-config.js';

const SHIPPED = `
global: {scrape_interval: 15s, evaluation_interval: 15s}
rule_files: [alerts.yml]
alerting: {alertmanagers: [{static_configs: [{targets: ["am:9093"]}]}]}
scrape_configs:
  - job_name: api-gateway
    metrics_path: /metrics
    static_configs: [{targets: ["api-gateway:8000"]}]
  - job_name: predictor
    dns_sd_configs: [{names: [predictor], type: A, port: 8001}]
  - job_name: rabbitmq
    static_configs: [{targets: ["rabbitmq:15692"]}]
`;

describe('test scrape config', () => {
  it('keeps jobs, options and rule files, replaces targets, drops what is asked and the Alertmanager', () => {
    const out = parse(testScrapeConfig(SHIPPED, { 'api-gateway': ['127.0.0.1:1', '127.0.0.1:2'], predictor: ['127.0.0.1:3'] }, ['rabbitmq'])) as Record<string, unknown>;
    assert.deepEqual(out.rule_files, ['alerts.yml']);
    assert.equal(out.alerting, undefined);
    assert.deepEqual(out.global, { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' });
    assert.deepEqual(out.scrape_configs, [
      { job_name: 'api-gateway', metrics_path: '/metrics', static_configs: [{ targets: ['127.0.0.1:1', '127.0.0.1:2'] }] },
      { job_name: 'predictor', static_configs: [{ targets: ['127.0.0.1:3'] }] },
    ]);
  });

  it('refuses a shipped job without a local target and a local target of no shipped job', () => {
    assert.throws(() => testScrapeConfig(SHIPPED, { 'api-gateway': ['x:1'] }, ['rabbitmq']), /"predictor" has no local target/);
    assert.throws(() => testScrapeConfig(SHIPPED, { 'api-gateway': ['x:1'], predictor: ['x:2'], worker: ['x:3'] }, ['rabbitmq']), /no job "worker"/);
  });
});
