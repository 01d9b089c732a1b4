import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { syntheticSeasonCsv } from '../testing/synthetic-league.js';
import { EvaluationSetError, loadEvaluationSet } from './evaluation-set.loader.js';

void describe('loadEvaluationSet', () => {
  let dir = '';
  let league = '';
  let season = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ml-eval-set-'));
    league = join(dir, 'league');
    await mkdir(league);
    await writeFile(join(league, 'E0_2021-2022.csv'), syntheticSeasonCsv(2021, 1));
    season = join(league, 'E0_2022-2023.csv');
    await writeFile(season, syntheticSeasonCsv(2022, 2));
    await writeFile(join(league, 'fixtures.csv'), 'Div,Date,HomeTeam,AwayTeam,FTHG,FTAG,FTR\nE0,20/05/2023,Arsenal,Luton,,,\n');
    await mkdir(join(dir, 'empty'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('evaluates every finished match of a folder, which is its own history, and skips fixtures', async () => {
    const set = await loadEvaluationSet({ data: league });
    assert.equal(set.rows.length, 60);
    assert.equal(set.skippedUnplayed, 1);
    assert.equal(set.historySource, null);
    assert.deepEqual(set.rows.map((r) => r.match.date), [...set.rows.map((r) => r.match.date)].sort());
    assert.match(set.description, /60 finished matches 2021-08-12\.\.2022-10-14, 60 with odds/);
    assert.match(set.fingerprint, /^sha256:[0-9a-f]{16}$/);
  });

  it('featurises a single CSV from the whole history, so its first matches get the same features as in the folder', async () => {
    const folder = await loadEvaluationSet({ data: league });
    const single = await loadEvaluationSet({ data: season, history: league });
    assert.equal(single.rows.length, 30);
    assert.ok(single.rows.every((r) => r.match.season === '2022-2023'));
    const byId = new Map(folder.rows.map((r) => [r.match.matchId, r.features]));
    for (const r of single.rows) assert.deepEqual(r.features, byId.get(r.match.matchId));
    assert.equal(single.rows[0]!.features.home_prior_matches, 10, 'opening day knows last season');

    // Without that history every team would start from nothing.
    const alone = await loadEvaluationSet({ data: season, history: join(dir, 'empty') });
    assert.equal(alone.rows[0]!.features.home_prior_matches, 0);
  });

  it('filters by inclusive dates and fingerprints the exact set', async () => {
    const a = await loadEvaluationSet({ data: season, history: league, from: '2022-09-02', to: '2022-09-09' });
    assert.deepEqual([...new Set(a.rows.map((r) => r.match.date))], ['2022-09-02', '2022-09-09']);
    const b = await loadEvaluationSet({ data: league, from: '2022-09-02', to: '2022-09-09' });
    assert.equal(a.fingerprint, b.fingerprint, 'same matches, same fingerprint, however they were loaded');
    const c = await loadEvaluationSet({ data: league, from: '2022-09-02' });
    assert.notEqual(a.fingerprint, c.fingerprint);
  });

  it('fails with a clear message for unreadable paths, bad dates and empty sets', async () => {
    const fails = (options: Parameters<typeof loadEvaluationSet>[0], message: RegExp): Promise<void> =>
      assert.rejects(loadEvaluationSet(options), (err: unknown) => err instanceof EvaluationSetError && message.test(err.message));
    await fails({ data: join(dir, 'missing.csv') }, /Cannot read --data .*missing\.csv/);
    await fails({ data: season, history: join(dir, 'nowhere') }, /Cannot read --history/);
    await fails({ data: season, history: season }, /--history .* is not a folder/);
    await fails({ data: join(dir, 'empty') }, /holds no \.csv files/);
    await fails({ data: league, from: '2023-02-30' }, /--from expects YYYY-MM-DD, got '2023-02-30'/);
    await fails({ data: league, from: '2023-01-01', to: '2022-01-01' }, /--from 2023-01-01 is after --to 2022-01-01/);
    await fails({ data: league, from: '2023-05-20' }, /No finished matches to evaluate .*\(1 in range, 1 without a result\)/);
  });
});
