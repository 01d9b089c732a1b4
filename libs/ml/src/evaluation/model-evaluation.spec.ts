import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildMlp } from '../model/mlp.js';
import { captureArtifacts } from '../model/model-artifacts.js';
import type { Outcome } from '../outcome.js';
import type { ModelMetadata } from '../registry/model-metadata.js';
import { ModelRegistry } from '../registry/model.registry.js';
import { repoRoot } from '../repo-root.js';
import { fixtureMetadata } from '../testing/model-fixture.js';
import { syntheticSeasonCsv } from '../testing/synthetic-league.js';
import { initTfBackend } from '../tf/tf-backend.js';
import { logLoss } from '../training/metrics.js';
import { resolveBaseRate } from './base-rate.js';
import { formatModelEvaluation } from './evaluation-table.js';
import { type EvaluationSet, loadEvaluationSet } from './evaluation-set.loader.js';
import { evaluateModelRef } from './model-evaluation.js';

const close = (a: number, b: number, tol: number, what: string): void => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

void describe('evaluateModel on a toy model', () => {
  let dir = '';
  let set: EvaluationSet;
  before(async () => {
    await initTfBackend();
    dir = await mkdtemp(join(tmpdir(), 'ml-evaluate-'));
    await mkdir(join(dir, 'data'));
    await writeFile(join(dir, 'data', 'E0_2021-2022.csv'), syntheticSeasonCsv(2021, 3));
    await writeFile(join(dir, 'data', 'E0_2022-2023.csv'), syntheticSeasonCsv(2022, 4));
    set = await loadEvaluationSet({ data: join(dir, 'data', 'E0_2022-2023.csv'), history: join(dir, 'data') });
    // Two of the 28 features the history computes: evaluation must cut the vectors down to the signature.
    const signature = [
      { name: 'elo_diff', mean: 60, std: 100 },
      { name: 'home_ppg_5', mean: 1.4, std: 0.6 },
    ];
    const model = buildMlp(signature.length, { hidden: [4], l2: 0, seed: 5 });
    const registry = new ModelRegistry(join(dir, 'models'));
    await registry.register('toy', await captureArtifacts(model), fixtureMetadata(signature));
    model.dispose();
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('scores model, base rate and bookmakers on the same matches, with counts', async () => {
    const e = await evaluateModelRef(join(dir, 'models'), 'toy@1', set);
    assert.equal(e.model.version, 1);
    assert.equal(e.evaluation_set.matches, 30);
    assert.equal(e.evaluation_set.matches_with_odds, 30);
    assert.equal(e.evaluation_set.fingerprint, set.fingerprint);
    assert.deepEqual(e.bookmaker_sources, { PSC: 30 });
    assert.equal(e.scores.bookmakers?.rows, 30);
    assert.equal(e.scores.model_on_odds_matches?.log_loss, e.scores.model.log_loss);
    assert.equal(e.log_loss_ratio_vs_bookmakers, e.scores.model.log_loss / e.scores.bookmakers.log_loss);
    // The fixture metadata's training window (2000-01) is not in this history: fall back to the set's own rates.
    assert.equal(e.base_rate.source, 'evaluated-set');
    const labels = set.rows.map((r) => r.label);
    close(e.scores.base_rate.log_loss, logLoss(labels.map(() => e.base_rate.probabilities), labels), 1e-12, 'base rate');
    assert.match(formatModelEvaluation(e), /base rate: H .* evaluated set's own class frequencies/);
  });
});

void describe('resolveBaseRate', () => {
  const labels: Outcome[] = [0, 0, 1, 2];
  const meta = (metrics: Record<string, number>): ModelMetadata => ({ name: 'm', version: 1, ...fixtureMetadata([]), metrics });

  it('prefers frequencies stored in the metadata', () => {
    const r = resolveBaseRate(meta({ base_rate_home_win: 0.5, base_rate_draw: 0.3, base_rate_away_win: 0.2 }), [], labels);
    assert.equal(r.source, 'model-metadata');
    assert.deepEqual(r.probabilities, [0.5, 0.3, 0.2]);
  });

  it('else uses the evaluated set, and says so', () => {
    const r = resolveBaseRate(meta({}), [], labels);
    assert.equal(r.source, 'evaluated-set');
    assert.deepEqual(r.probabilities, [0.5, 0.25, 0.25]);
  });
});

void describe('evaluateModel on the shipped v1 and the 2023-24 season', () => {
  it('reproduces the validation numbers stored at training time', async () => {
    const root = repoRoot();
    const set = await loadEvaluationSet({ data: join(root, 'data', 'football', 'E0_2023-2024.csv') });
    const registry = join(root, 'models');
    const e = await evaluateModelRef(registry, 'match-outcome@1', set);
    const m = (await new ModelRegistry(registry).resolve('match-outcome@1')).metadata.metrics;
    assert.equal(e.evaluation_set.matches, 380);
    assert.equal(e.evaluation_set.matches_with_odds, 380);
    assert.equal(e.evaluation_set.in_training_window, 0);
    // Recounted over the metadata's training window: exactly the base rate training scored.
    assert.equal(e.base_rate.source, 'training-window');
    close(e.scores.base_rate.log_loss, m.base_rate_log_loss!, 1e-12, 'base rate log-loss');
    close(e.scores.bookmakers!.log_loss, m.bookmaker_log_loss!, 1e-12, 'bookmaker log-loss');
    // Training ran on wasm; this process may run on another backend.
    close(e.scores.model.log_loss, m.log_loss!, 1e-5, 'model log-loss');
    close(e.scores.model.brier, m.brier!, 1e-5, 'model Brier');
  });
});
