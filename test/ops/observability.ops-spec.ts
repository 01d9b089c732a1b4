// The operations stack against a real Prometheus (Debian's package; scripts/ensure-prometheus.sh installs it):
// the three apps run as processes, a private Prometheus scrapes them with the shipped prometheus.yml (targets
// made local) and alerts.yml, load goes through, then every query of the shipped Grafana dashboard must return
// data and every alert rule must load and evaluate.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { AppProcess, deleteRedisKeys, deleteTopology, testPort, uniquePrefix, waitFor } from '@app/testing';
import { dashboardQueries, substituteVariables, type PanelQuery } from './dashboard-queries.js';
import { findPrometheusTool, freePort, PrometheusServer, type PromQueryData } from './prometheus-server.js';
import { testScrapeConfig } from './test-scrape-config.js';

const run = promisify(execFile);

/** The repository root: the first folder above this file that holds ops/prometheus/prometheus.yml. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'ops/prometheus/prometheus.yml'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('ops/prometheus/prometheus.yml not found above the test');
    dir = parent;
  }
  return dir;
}

const ROOT = repoRoot();
const PROMETHEUS_YML = join(ROOT, 'ops/prometheus/prometheus.yml');
const ALERTS_YML = join(ROOT, 'ops/prometheus/alerts.yml');
const DASHBOARD_JSON = join(ROOT, 'ops/grafana/dashboards/match-predict.json');
const DATASOURCE_YML = join(ROOT, 'ops/grafana/provisioning/datasources/prometheus.yml');
const INSTALL_HINT = 'install it with `sh scripts/ensure-prometheus.sh` (as root) or `apt-get install prometheus`';

const prefix = uniquePrefix('ops');
/** Match ids whose async attempts always fail (one per round of load). */
const FAULTY_MATCH_IDS = [987_654_322, 987_654_323];
const RETRY_DELAY_MS = 100;
const topologyOptions = { prefix, retryDelaysMs: [RETRY_DELAY_MS, RETRY_DELAY_MS * 2] };
const common = {
  QUEUE_PREFIX: prefix,
  REDIS_KEY_PREFIX: prefix,
  LOG_LEVEL: 'warn',
  TASK_MAX_ATTEMPTS: '3',
  TASK_RETRY_DELAY_MS: String(RETRY_DELAY_MS),
  QUEUE_STATS_INTERVAL_MS: '500',
  PRESENCE_INTERVAL_MS: '500',
};

const results = new AppProcess('results', testPort(), common);
const predictor = new AppProcess('predictor', testPort(), { ...common, FAULT_INJECT_FAIL_MATCH_IDS: FAULTY_MATCH_IDS.join(',') });
const gateway = new AppProcess('api-gateway', testPort(), common);
// A second gateway replica whose deadline nothing can meet, so the suite sees real sync timeouts.
const impatientGateway = new AppProcess('api-gateway', testPort(), { ...common, SYNC_TIMEOUT_MS: '1' });
const apps = [results, predictor, gateway, impatientGateway];

let prometheus: PrometheusServer | undefined;
let workDir: string | undefined;
let startedAt = 0;

type Json = Record<string, unknown>;

async function http(app: AppProcess, method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${app.baseUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
}

async function pollUntilTerminal(taskId: string): Promise<Json> {
  return waitFor(
    async () => {
      const { body } = await http(gateway, 'GET', `/monitoring/task_status/${taskId}`);
      return body.status === 'success' || body.status === 'failure' ? body : undefined;
    },
    20_000,
    `task ${taskId} to finish`,
    50,
  );
}

/** Why a query result is not "data": undefined when it has at least one finite sample. */
function lackOfData(data: PromQueryData): string | undefined {
  if (data.resultType !== 'vector' && data.resultType !== 'matrix') {
    const [, value] = data.result as [number, string];
    return Number.isFinite(Number(value)) ? undefined : `${data.resultType} ${value}`;
  }
  if (data.result.length === 0) return 'empty result';
  const values = data.result.flatMap((s) => (s.value ? [s.value[1]] : (s.values ?? []).map((v) => v[1])));
  return values.some((v) => Number.isFinite(Number(v))) ? undefined : `only non-finite values (${[...new Set(values)].join(', ')})`;
}

/** Puts every kind of traffic the dashboard shows through the suite; `round` 0 or 1 (distinct ids each). */
async function putLoad(round: number): Promise<void> {
  const info = await http(gateway, 'GET', '/predict/model/info');
  assert.equal(info.status, 200, JSON.stringify(info.body));
  const features = Object.fromEntries((info.body.features as string[]).map((name) => [name, 0]));
  const matches = (await http(gateway, 'GET', '/predict/matches/')).body as unknown as { match_id: number }[];
  assert.ok(Array.isArray(matches) && matches.length > 0);

  for (let i = 0; i < 6; i += 1) {
    const sync = await http(gateway, 'POST', '/predict/', { match_id: 100 + 10 * round + i, features });
    assert.equal(sync.status, 200, JSON.stringify(sync.body));
  }
  assert.equal((await http(gateway, 'POST', '/predict/', { match_id: matches[0]!.match_id })).status, 200);

  const submitted = await Promise.all(
    [0, 1, 2, 3].map((i) => http(gateway, 'POST', '/predict/async/', { match_id: 200 + 10 * round + i, features })),
  );
  const failing = await http(gateway, 'POST', '/predict/async/', { match_id: FAULTY_MATCH_IDS[round]!, features });
  for (const s of [...submitted, failing]) assert.equal(s.status, 202, JSON.stringify(s.body));
  for (const s of submitted) assert.equal((await pollUntilTerminal(String(s.body.task_id))).status, 'success');
  const failed = await pollUntilTerminal(String(failing.body.task_id));
  assert.equal(failed.status, 'failure', JSON.stringify(failed));
  assert.equal(failed.attempts, 3);

  // A 1 ms deadline: the gateway answers 504 (the predictor, if the request reaches it, drops it unscored).
  let timedOut = false;
  for (let i = 0; i < 10 && !timedOut; i += 1) {
    timedOut = (await http(impatientGateway, 'POST', '/predict/', { match_id: 300 + 10 * round + i, features })).status === 504;
  }
  assert.ok(timedOut, 'a sync request with a 1 ms deadline timed out');
  assert.equal((await http(gateway, 'GET', '/monitoring/task_status/6f1c7d1e-0d7a-4d7e-9a51-3b8f2b0c9a11')).status, 404);
}

describe('operations stack against a real Prometheus', () => {
  before(async () => {
    const binary = findPrometheusTool('prometheus');
    if (!binary) throw new Error(`no prometheus binary on PATH or in /usr/bin: ${INSTALL_HINT}`);
    await Promise.all(apps.map((app) => app.start()));
    workDir = await mkdtemp(join(tmpdir(), 'mp-ops-prometheus-'));
    const config = testScrapeConfig(
      await readFile(PROMETHEUS_YML, 'utf8'),
      {
        'api-gateway': [gateway, impatientGateway].map((g) => `127.0.0.1:${g.port}`),
        predictor: [`127.0.0.1:${predictor.port}`],
        results: [`127.0.0.1:${results.port}`],
      },
      // The machine's broker runs without the rabbitmq_prometheus plugin (and is shared: not ours to change).
      ['rabbitmq'],
    );
    await writeFile(join(workDir, 'prometheus.yml'), config);
    await copyFile(ALERTS_YML, join(workDir, 'alerts.yml'));
    startedAt = Date.now();
    prometheus = new PrometheusServer(binary, await freePort(), join(workDir, 'prometheus.yml'), join(workDir, 'data'));
    await prometheus.start();
  });

  after(async () => {
    await prometheus?.stop();
    await Promise.all(apps.map((app) => app.stop()));
    await deleteTopology(topologyOptions);
    await deleteRedisKeys(prefix);
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('promtool accepts the shipped Prometheus config and alert rules', async (t) => {
    const promtool = findPrometheusTool('promtool');
    if (!promtool) {
      t.skip(`promtool not installed (${INSTALL_HINT}); the rules are still checked through Prometheus below`);
      return;
    }
    for (const args of [['check', 'config', PROMETHEUS_YML], ['check', 'rules', ALERTS_YML]]) {
      const result = await run(promtool, args).catch((error: { stdout?: string; stderr?: string }) => {
        assert.fail(`promtool ${args.join(' ')} failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
      });
      assert.match(result.stdout + result.stderr, /SUCCESS/);
    }
  });

  it('the dashboard uses the provisioned datasource everywhere', async () => {
    const datasources = (parse(await readFile(DATASOURCE_YML, 'utf8')) as { datasources: { uid: string; type: string }[] }).datasources;
    const uids = new Set(datasources.filter((d) => d.type === 'prometheus').map((d) => d.uid));
    const dashboard = JSON.parse(await readFile(DASHBOARD_JSON, 'utf8')) as { panels: { title: string; type: string; datasource?: { uid?: string }; targets?: { datasource?: { uid?: string } }[] }[] };
    const wrong = dashboard.panels
      .filter((p) => p.type !== 'row')
      .filter((p) => !uids.has(p.datasource?.uid ?? '') || (p.targets ?? []).some((t) => !uids.has(t.datasource?.uid ?? '')))
      .map((p) => p.title);
    assert.deepEqual(wrong, [], `panels not on datasource ${[...uids].join(', ')}`);
  });

  it('scrapes every app: both gateway replicas, the predictor and results', async () => {
    const server = prometheus!;
    const targets = await waitFor(
      async () => {
        const active = await server.targets();
        return active.length === 4 && active.every((t) => t.health === 'up') ? active : undefined;
      },
      15_000,
      'every target up',
      250,
    ).catch(async (error: unknown) => {
      throw new Error(`${String(error)}\n${JSON.stringify(await server.targets(), null, 1)}`);
    });
    assert.deepEqual(targets.map((t) => t.labels.job).sort(), ['api-gateway', 'api-gateway', 'predictor', 'results']);
  });

  it('every dashboard panel query returns data once load has gone through', async () => {
    const server = prometheus!;
    const dashboard = JSON.parse(await readFile(DASHBOARD_JSON, 'utf8')) as Parameters<typeof dashboardQueries>[0];
    const queries = dashboardQueries(dashboard);
    assert.ok(queries.length >= 20, `the dashboard has ${queries.length} queries`);
    // Two rounds a few scrapes apart: a labelled series is born with its first increment, and rate() only sees
    // increments between two scrapes, so a load shorter than a scrape interval would show as a zero rate.
    await putLoad(0);
    await new Promise((r) => setTimeout(r, 3000));
    await putLoad(1);

    // Rates need two scrapes after the load, and the gateway's queue gauges a refresh: poll with a deadline.
    const failures = new Map<PanelQuery, string>();
    const deadline = Date.now() + 25_000;
    let pending = queries;
    do {
      const outcomes = await Promise.all(
        pending.map(async (q) => {
          try {
            return { q, why: lackOfData(await server.query(substituteVariables(q.expr))) };
          } catch (error) {
            return { q, why: error instanceof Error ? error.message : String(error) };
          }
        }),
      );
      failures.clear();
      for (const { q, why } of outcomes) if (why !== undefined) failures.set(q, why);
      pending = [...failures.keys()];
      if (pending.length > 0) await new Promise((r) => setTimeout(r, 1000));
    } while (pending.length > 0 && Date.now() < deadline);

    const passed = queries.length - failures.size;
    const panels = new Set(queries.map((q) => q.panel));
    const failedPanels = new Set([...failures.keys()].map((q) => q.panel));
    console.log(`dashboard: ${passed}/${queries.length} queries and ${panels.size - failedPanels.size}/${panels.size} panels return data`);
    const report = [...failures].map(([q, why]) => `- "${q.panel}" [${q.refId}] ${q.expr}\n    → ${why}`).join('\n');
    assert.equal(failures.size, 0, `panel queries without data:\n${report}`);
  });

  it('every alert rule loads, evaluates without error, and the load drove the ones it should', async () => {
    const server = prometheus!;
    const shipped = parse(await readFile(ALERTS_YML, 'utf8')) as {
      groups: { rules: { alert?: string; record?: string; labels?: Record<string, string>; annotations?: Record<string, string> }[] }[];
    };
    const declared = shipped.groups.flatMap((g) => g.rules);
    const names = declared.map((r) => r.alert ?? r.record ?? '?');
    for (const r of declared.filter((d) => d.alert)) {
      assert.ok(['critical', 'warning', 'info'].includes(r.labels?.severity ?? ''), `${r.alert}: severity label`);
      assert.ok(r.annotations?.summary && r.annotations.description, `${r.alert}: summary and description annotations`);
    }
    for (const required of ['DeadLetterQueueGrowing', 'SyncTimeouts', 'QueueBacklog', 'NoPredictor']) assert.ok(names.includes(required), required);

    const rules = await waitFor(
      async () => {
        const loaded = await server.rules();
        const fresh = loaded.filter((r) => Date.parse(r.lastEvaluation) > startedAt);
        return fresh.length === names.length ? loaded : undefined;
      },
      15_000,
      'every rule evaluated after start',
      250,
    );
    assert.deepEqual(rules.map((r) => r.name).sort(), [...names].sort());
    const unhealthy = rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`);
    assert.deepEqual(unhealthy, [], 'rules evaluating with errors');

    // The rules measure what they claim: after the dead-lettered task and the timeout, these react; with
    // every app up, the outage rules stay quiet.
    const state = async (name: string) => (await server.rules()).find((r) => r.name === name)?.state;
    await waitFor(async () => ((await state('DeadLetterQueueGrowing')) === 'firing' ? true : undefined), 10_000, 'DeadLetterQueueGrowing to fire');
    await waitFor(async () => (['pending', 'firing'].includes((await state('SyncTimeouts')) ?? '') ? true : undefined), 10_000, 'SyncTimeouts to be pending');
    for (const quiet of ['NoPredictor', 'AppDown', 'PredictorReplicaDown']) assert.equal(await state(quiet), 'inactive', quiet);
  });
});
