import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadMatches } from '../data/matches.loader.js';
import { FEATURE_NAMES } from '../features/feature-set.js';
import { MatchHistory } from '../features/match-history.js';
import { DEFAULT_MODEL_REF } from '../registry/model-ref.js';
import { ModelRegistry } from '../registry/model.registry.js';
import { repoRoot } from '../repo-root.js';
import { runBatchInference } from './batch-inference.js';
import { readPredictionsParquet } from './predictions.parquet.js';

const root = repoRoot();
const dataDir = join(root, 'data', 'football');
const registryRoot = join(root, 'models');

void describe('runBatchInference with the shipped champion', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ml-batch-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  void it('scores every match on or after the as-of date and writes a readable parquet file', async () => {
    const out = join(dir, 'batch.parquet');
    const result = await runBatchInference({
      dataDir,
      registryRoot,
      modelRef: DEFAULT_MODEL_REF,
      asOf: '2024-04-01',
      out,
      scoredAt: '2024-04-01T00:00:00.000Z',
    });
    const { matches } = await loadMatches(dataDir);
    const expected = MatchHistory.fromMatches(matches).upcoming('2024-04-01');
    assert.ok(expected.length > 50);
    assert.deepEqual(result.rows.map((r) => r.match_id), expected.map((m) => m.matchId));

    const champion = await new ModelRegistry(registryRoot).resolve(DEFAULT_MODEL_REF);
    for (const row of result.rows) {
      const probs = [row.prob_home_win, row.prob_draw, row.prob_away_win];
      assert.ok(Math.abs(probs[0]! + probs[1]! + probs[2]! - 1) < 1e-9);
      assert.equal(row.predicted_class, probs.indexOf(Math.max(...probs)));
      assert.equal(row.model_version, champion.metadata.version);
      assert.equal(row.model_run_id, champion.metadata.run_id);
      assert.ok(row.match_date >= '2024-04-01');
    }
    assert.deepEqual(await readPredictionsParquet(out), result.rows);
  });

  void it('refuses a malformed as-of date', async () => {
    await assert.rejects(
      runBatchInference({ dataDir, registryRoot, modelRef: DEFAULT_MODEL_REF, asOf: '01/04/2024', out: join(dir, 'x.parquet') }),
      /as-of must be YYYY-MM-DD/,
    );
  });
});

void describe('shipped artefacts', () => {
  void it('the champion was trained on the current feature set, in the same order', async () => {
    const { metadata } = await new ModelRegistry(registryRoot).resolve(DEFAULT_MODEL_REF);
    assert.deepEqual(
      metadata.feature_signature.map((s) => s.name),
      [...FEATURE_NAMES],
      'features changed: retrain (npm run train) and re-run batch inference',
    );
    assert.equal(metadata.feature_signature.every((s) => s.std > 0), true);
    for (const key of ['log_loss', 'brier', 'accuracy', 'bookmaker_log_loss', 'base_rate_log_loss']) {
      assert.equal(typeof metadata.metrics[key], 'number', key);
    }
  });

  void it('the shipped batch file is readable and was scored by a registered model', async () => {
    const rows = await readPredictionsParquet(join(root, 'data', 'predictions', 'batch_predictions.parquet'));
    assert.ok(rows.length > 0);
    const versions = await new ModelRegistry(registryRoot).versions('match-outcome');
    assert.ok(rows.every((r) => versions.includes(r.model_version)));
  });
});
