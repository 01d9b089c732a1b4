import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { type EvaluationSet, loadEvaluationSet } from '../evaluation/evaluation-set.loader.js';
import { buildMlp } from '../model/mlp.js';
import { artifactsFromFiles, captureArtifacts, MODEL_JSON, WEIGHTS_BIN } from '../model/model-artifacts.js';
import { ModelRegistry } from '../registry/model.registry.js';
import { repoRoot } from '../repo-root.js';
import { initTfBackend } from '../tf/tf-backend.js';
import { promoteModel } from './promote-model.js';
import { PromotionOverrideError } from './promotion-gate.js';
import { readPromotionLog } from './promotion-log.js';

const NAME = 'match-outcome';
const PROMOTE_CLI = fileURLToPath(new URL('../cli/promote.cli.js', import.meta.url));

/**
 * The whole promotion flow on a copy of the shipped registry: v2 is v1's artefacts under new metadata (equal
 * log-loss), v3 an untrained network with v1's signature (clearly worse).
 */
void describe('promoteModel end to end on a temporary registry', () => {
  const dataCsv = join(repoRoot(), 'data', 'football', 'E0_2023-2024.csv');
  let tmp = '';
  let registryRoot = '';
  let registry: ModelRegistry;
  let set: EvaluationSet;
  const aliasesJson = async (): Promise<unknown> => JSON.parse(await readFile(join(registryRoot, NAME, 'aliases.json'), 'utf8'));

  before(async () => {
    await initTfBackend();
    tmp = await mkdtemp(join(tmpdir(), 'ml-promote-'));
    registryRoot = join(tmp, 'models');
    await cp(join(repoRoot(), 'models'), registryRoot, { recursive: true });
    registry = new ModelRegistry(registryRoot);
    await registry.setAlias(NAME, 'champion', 1); // whatever ships, start this test from v1
    await rm(join(registryRoot, NAME, 'promotions.log'), { force: true });

    const v1 = await registry.resolve(`${NAME}@1`);
    const { name: _name, version: _version, ...meta } = v1.metadata;
    const [modelJson, weights] = await Promise.all([readFile(join(v1.dir, MODEL_JSON), 'utf8'), readFile(join(v1.dir, WEIGHTS_BIN))]);
    const base = (await registry.versions(NAME)).at(-1)!;
    const copy = await registry.register(NAME, artifactsFromFiles(modelJson, weights), { ...meta, run_id: 'copy-of-v1' });
    const untrained = buildMlp(meta.feature_signature.length, { hidden: [8], l2: 0, seed: 11 });
    const worse = await registry.register(NAME, await captureArtifacts(untrained), { ...meta, run_id: 'untrained' });
    untrained.dispose();
    assert.deepEqual([copy.version, worse.version], [base + 1, base + 2]);
    await registry.setAlias(NAME, 'candidate', copy.version);
    set = await loadEvaluationSet({ data: dataCsv, from: '2024-01-01' });
  });
  after(async () => rm(tmp, { recursive: true, force: true }));

  const versions = async (): Promise<{ copy: number; worse: number }> => {
    const all = await registry.versions(NAME);
    return { copy: all.at(-2)!, worse: all.at(-1)! };
  };

  it('promotes an equal candidate (the candidate alias) and logs it', async () => {
    const { copy } = await versions();
    const r = await promoteModel({ registryRoot, set, now: () => new Date('2024-06-01T00:00:00Z') });
    assert.equal(r.decision.decision, 'promoted');
    assert.equal(r.entry.candidate_log_loss, r.entry.champion_log_loss);
    assert.deepEqual(await aliasesJson(), { candidate: copy, champion: copy });
    const log = await readPromotionLog(registryRoot, NAME);
    assert.equal(log.length, 1);
    assert.deepEqual(
      { ...log[0], candidate_log_loss: 0, champion_log_loss: 0, bookmaker_log_loss: 0 },
      {
        timestamp: '2024-06-01T00:00:00.000Z',
        name: NAME,
        decision: 'promoted',
        from: 1,
        to: copy,
        candidate_log_loss: 0,
        champion_log_loss: 0,
        bookmaker_log_loss: 0,
        evaluation_set: { description: set.description, fingerprint: set.fingerprint, matches: set.rows.length, matches_with_odds: set.rows.length },
        forced: false,
        reason: null,
        gate: r.decision.detail,
        candidate_run_id: 'copy-of-v1',
        champion_run_id: (await registry.resolve(`${NAME}@1`)).metadata.run_id,
      },
    );
  });

  it('refuses a worse candidate, keeps the champion and logs both numbers', async () => {
    const { copy, worse } = await versions();
    const r = await promoteModel({ registryRoot, set, candidate: String(worse) });
    assert.equal(r.decision.decision, 'refused');
    assert.ok(r.entry.candidate_log_loss > r.entry.champion_log_loss! + 0.01);
    assert.deepEqual(await aliasesJson(), { candidate: copy, champion: copy });
    const last = (await readPromotionLog(registryRoot, NAME)).at(-1);
    assert.equal(last?.decision, 'refused');
    assert.equal(last?.from, copy);
    assert.equal(last?.to, worse);
  });

  it('refuses --force without --reason before evaluating, and logs nothing', async () => {
    const { worse } = await versions();
    await assert.rejects(promoteModel({ registryRoot, set, candidate: String(worse), force: true }), PromotionOverrideError);
    assert.equal((await readPromotionLog(registryRoot, NAME)).length, 2);
  });

  it('forces a worse candidate with a reason and logs the override', async () => {
    const { copy, worse } = await versions();
    const r = await promoteModel({ registryRoot, set, candidate: String(worse), force: true, reason: 'test override' });
    assert.equal(r.decision.decision, 'forced');
    assert.deepEqual(await aliasesJson(), { candidate: copy, champion: worse });
    const last = (await readPromotionLog(registryRoot, NAME)).at(-1);
    assert.equal(last?.decision, 'forced');
    assert.equal(last?.forced, true);
    assert.equal(last?.reason, 'test override');
    assert.ok(last.candidate_log_loss > last.champion_log_loss!);
  });

  it('promotes a better candidate over the forced one', async () => {
    const { copy, worse } = await versions();
    const r = await promoteModel({ registryRoot, set, candidate: '1' });
    assert.equal(r.decision.decision, 'promoted');
    assert.equal(r.entry.from, worse);
    assert.ok(r.entry.candidate_log_loss < r.entry.champion_log_loss!);
    assert.deepEqual(await aliasesJson(), { candidate: copy, champion: 1 });
  });

  it('refuses to "promote" the current champion', async () => {
    await assert.rejects(promoteModel({ registryRoot, set, candidate: '1' }), /already the champion/);
    assert.equal((await readPromotionLog(registryRoot, NAME)).length, 4);
  });

  it('the CLI exits 1 on a refusal and 2 on a reasonless --force, and leaves no temp files', async () => {
    const { worse } = await versions();
    const run = (...args: string[]): ReturnType<typeof spawnSync> =>
      spawnSync(process.execPath, [PROMOTE_CLI, '--registry', registryRoot, '--data', dataCsv, '--from', '2024-01-01', ...args], { encoding: 'utf8' });
    const refused = run('--candidate', String(worse));
    assert.equal(refused.status, 1, String(refused.stderr));
    assert.match(String(refused.stdout), /REFUSED: champion stays 1; candidate \d+ is worse \(candidate \d\.\d{6} > champion \d\.\d{6}\)/);
    const noReason = run('--candidate', String(worse), '--force');
    assert.equal(noReason.status, 2);
    assert.match(String(noReason.stderr), /--force requires --reason/);

    const log = await readPromotionLog(registryRoot, NAME);
    assert.deepEqual(log.map((e) => e.decision), ['promoted', 'refused', 'forced', 'promoted', 'refused']);
    assert.equal((await aliasesJson() as { champion: number }).champion, 1);
    assert.deepEqual((await readdir(join(registryRoot, NAME))).sort(), ['aliases.json', 'promotions.log', 'versions']);
  });
});
