// Promoting a new champion while tasks stream through: predictors switch without a restart, no task fails,
// and model info and the reload metric show the switch.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelRegistry, readPredictionsParquet, writePredictionsParquet } from '@app/ml';
import { AppProcess, deleteRedisKeys, deleteTopology, testPort, uniquePrefix, waitFor } from '@app/testing';

const prefix = uniquePrefix('swap');
const topologyOptions = { prefix, retryDelaysMs: [2000, 4000] };
let registryDir = '';
let predictionsFile = '';
let results: AppProcess;
let predictor: AppProcess;
let gateway: AppProcess;

type Json = Record<string, unknown>;

async function post(path: string, body: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${gateway.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Json };
}

async function get(app: AppProcess, path: string): Promise<Json> {
  return (await (await fetch(`${app.baseUrl}${path}`)).json()) as Json;
}

async function metric(app: AppProcess, name: string, labels: string): Promise<number> {
  const line = (await (await fetch(`${app.baseUrl}/metrics`)).text()).split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

/** Registers a copy of v1 as v2 (a new run) and moves `champion` to it, as `npm run promote` would. */
async function promoteCopyOfV1(): Promise<void> {
  const versions = join(registryDir, 'match-outcome', 'versions');
  await cp(join(versions, '1'), join(versions, '2'), { recursive: true });
  const metaFile = join(versions, '2', 'metadata.json');
  const meta = JSON.parse(await readFile(metaFile, 'utf8')) as Json;
  await writeFile(metaFile, JSON.stringify({ ...meta, version: 2, run_id: 'hot-swap-test-run' }));
  await new ModelRegistry(registryDir).setAlias('match-outcome', 'champion', 2);
}

describe('champion hot swap under load', () => {
  before(async () => {
    registryDir = await mkdtemp(join(tmpdir(), 'mp-registry-'));
    await cp('models', registryDir, { recursive: true });
    predictionsFile = join(registryDir, 'batch_predictions.parquet');
    await cp('data/predictions/batch_predictions.parquet', predictionsFile);
    const common = {
      QUEUE_PREFIX: prefix,
      REDIS_KEY_PREFIX: prefix,
      LOG_LEVEL: 'warn',
      MODEL_REGISTRY_DIR: registryDir,
      MODEL_POLL_MS: '200',
      PREDICTIONS_FILE: predictionsFile,
    };
    results = new AppProcess('results', testPort(), common);
    predictor = new AppProcess('predictor', testPort(), common);
    gateway = new AppProcess('api-gateway', testPort(), common);
    await Promise.all([results.start(), predictor.start(), gateway.start()]);
  });

  after(async () => {
    await Promise.all([gateway.stop(), predictor.stop(), results.stop()]);
    await deleteTopology(topologyOptions);
    await deleteRedisKeys(prefix);
    await rm(registryDir, { recursive: true, force: true });
  });

  it('switches to the new champion without failing or dropping a task', async (t) => {
    const names = (await get(gateway, '/predict/model/info')).features as string[];
    const total = 240;
    const taskIds: string[] = [];
    const syncVersions: string[] = [];
    let promoted = false;
    let next = 0;
    const worker = async () => {
      while (next < total) {
        const i = next++;
        if (i === total / 3 && !promoted) {
          promoted = true;
          await promoteCopyOfV1();
        }
        const features = Object.fromEntries(names.map((n, k) => [n, ((i + 1) * (k + 1)) % 97 / 10]));
        const res = await post('/predict/async/', { match_id: 1000 + i, features });
        assert.equal(res.status, 202, JSON.stringify(res.body));
        taskIds.push(String(res.body.task_id));
        if (i % 10 === 0) {
          const sync = await post('/predict/', { match_id: 5000 + i, features });
          assert.equal(sync.status, 200, JSON.stringify(sync.body));
          syncVersions.push(String(sync.body.model_version));
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    assert.equal(taskIds.length, total);

    const versions = new Map<string, number>();
    for (const id of taskIds) {
      const task = await waitFor(async () => {
        const t = await get(gateway, `/monitoring/task_status/${id}`);
        return t.status === 'success' || t.status === 'failure' ? t : undefined;
      }, 30_000, `task ${id}`);
      assert.equal(task.status, 'success', JSON.stringify(task));
      const version = String((task.result as Json).model_version);
      versions.set(version, (versions.get(version) ?? 0) + 1);
    }
    t.diagnostic(`tasks by model version: ${JSON.stringify(Object.fromEntries(versions))}`);
    assert.ok((versions.get('1') ?? 0) > 0, `some tasks ran on v1: ${JSON.stringify([...versions])}`);
    assert.ok((versions.get('2') ?? 0) > 0, `some tasks ran on v2: ${JSON.stringify([...versions])}`);
    assert.equal(syncVersions.at(-1), '2', 'sync requests also moved to v2');

    const info = await get(gateway, '/predict/model/info');
    assert.equal(info.version, 2);
    assert.equal(info.run_id, 'hot-swap-test-run');
    assert.equal((info.serving as Json).version, 2);
    assert.equal(await metric(predictor, 'model_reloads_total', 'outcome="success"'), 1);
    assert.equal(await metric(predictor, 'model_reloads_total', 'outcome="failure"'), 0);
    assert.equal(await metric(predictor, 'model_info', 'version="2"'), 1);
    assert.equal(await metric(predictor, 'model_info', 'version="1"'), 0);
  });

  it('serves a new batch-inference file without a restart', async () => {
    const rows = await readPredictionsParquet(predictionsFile);
    const first = rows[0]!;
    const before = await get(gateway, `/predict/${first.match_id}`);
    assert.equal(before.model_run_id, first.model_run_id);
    // A new batch run, written the way the job writes it: to a temporary file, then renamed into place.
    const next = rows.map((r) => ({ ...r, model_version: 2, model_run_id: 'new-batch-run' }));
    await writePredictionsParquet(`${predictionsFile}.next`, next);
    await rename(`${predictionsFile}.next`, predictionsFile);
    const after = await waitFor(async () => {
      const body = await get(gateway, `/predict/${first.match_id}`);
      return body.model_run_id === 'new-batch-run' ? body : undefined;
    }, 10_000, 'the gateway to serve the new file');
    assert.equal(after.model_version, '2');
  });
});
