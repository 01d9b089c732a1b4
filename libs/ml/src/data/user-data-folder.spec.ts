import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MatchHistory } from '../features/match-history.js';
import { matchIdOf } from './match-id.js';
import { type LoadedMatches, loadMatches } from './matches.loader.js';

const HEADER = 'Div,Date,HomeTeam,AwayTeam,FTHG,FTAG,FTR,PSCH,PSCD,PSCA';

// A user's own folder: one results file and a fixtures.csv with the same columns and empty results.
const RESULTS = [
  HEADER,
  'E0,12/08/2023,Arsenal,Chelsea,3,0,H,1.8,3.6,4.5',
  'E0,12/08/2023,Everton,Fulham,1,1,D,2.4,3.2,3.1',
  'E0,19/08/2023,Chelsea,Everton,0,2,A,1.9,3.5,4.0',
  'E0,19/08/2023,Fulham,Arsenal,0,1,A,5.0,4.0,1.7',
  '',
].join('\r\n');

const FIXTURES = [
  HEADER,
  'E0,26/08/2023,Arsenal,Everton,,,,1.5,4.2,6.5', // line 2
  'E0,26/08/2023,Chelsea,Fulham,,,,,,', // line 3: no odds yet
  'E0,2023-09-02,Fulham,Chelsea,,,,,,', // line 4: ISO date, not football-data format
  'E0,02/09/2023,Everton,,,,,,,', // line 5: missing team
  'E0,02/09/2023,Fulham,Everton,2,,,,,', // line 6: half a score
  'E0,26/08/2023,Arsenal,Everton,,,,,,', // line 7: same fixture again
  'E0,02/09/2023,"Arsenal,Fulham,,,,,,', // line 8: unbalanced quote swallows line 9
  'E0,09/09/2023,Everton,Chelsea,,,,,,',
  '',
].join('\n');

void describe('a user data folder with fixtures.csv', () => {
  let dir = '';
  let loaded: LoadedMatches;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ml-user-data-'));
    await writeFile(join(dir, 'E0_2023-2024.csv'), RESULTS);
    await writeFile(join(dir, 'fixtures.csv'), FIXTURES);
    loaded = await loadMatches(dir);
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('loads rows without FTHG/FTAG/FTR as fixtures (result null), not as rejected rows', () => {
    const fixtures = loaded.matches.filter((m) => m.result === null);
    assert.deepEqual(fixtures.map((m) => `${m.date} ${m.homeTeam} v ${m.awayTeam}`), ['2023-08-26 Arsenal v Everton', '2023-08-26 Chelsea v Fulham']);
    assert.ok(fixtures.every((m) => m.homeGoals === null && m.awayGoals === null && m.season === '2023-2024'));
    assert.deepEqual(fixtures[0]?.odds, { home: 1.5, draw: 4.2, away: 6.5, source: 'PSC' });
    assert.equal(fixtures[1]?.odds, null);
    assert.equal(loaded.matches.filter((m) => m.result !== null).length, 4);
  });

  it('reports every bad row with its file and line, and drops none silently', () => {
    const rejected = [...loaded.rejected].sort((a, b) => a.line - b.line);
    assert.deepEqual(
      rejected.map((r) => [r.file, r.line]),
      [['fixtures.csv', 4], ['fixtures.csv', 5], ['fixtures.csv', 6], ['fixtures.csv', 7], ['fixtures.csv', 8]],
    );
    const reasons = rejected.map((r) => r.reason);
    assert.match(reasons[0]!, /bad date '2023-09-02'/);
    assert.match(reasons[1]!, /missing team/);
    assert.match(reasons[2]!, /bad score '2'-''/);
    assert.match(reasons[3]!, /duplicate fixture of fixtures\.csv:2/);
    assert.match(reasons[4]!, /spans several lines \(unbalanced quote\?\)/);
    // 8 data rows in fixtures.csv (one spans two lines): 2 loaded + 5 rejected + the line the quote swallowed.
    assert.equal(loaded.matches.length + loaded.rejected.length, 4 + 2 + 5);
  });

  it('lists the fixtures as upcoming, featurised from the played results', () => {
    const history = MatchHistory.fromMatches(loaded.matches);
    const upcoming = history.upcoming('2023-08-20');
    assert.deepEqual(upcoming.map((m) => m.matchId), [
      matchIdOf('E0', '2023-08-26', 'Arsenal', 'Everton'),
      matchIdOf('E0', '2023-08-26', 'Chelsea', 'Fulham'),
    ]);
    const f = history.featuresFor(upcoming[0]!.matchId);
    assert.ok(f);
    assert.equal(f.home_ppg_5, 3, 'Arsenal won both played matches');
    assert.equal(f.away_ppg_5, 2, 'Everton drew and won');
    assert.equal(f.home_prior_matches, 2);
    assert.ok(f.elo_home! > 1500 && f.elo_away! > 1500);
    assert.equal(history.upcoming('2023-08-27').length, 0);
  });

  it('reports a file whose header lacks a required column, with the number of rows it skipped', async () => {
    await writeFile(join(dir, 'E0_broken.csv'), 'Div,Date,Home,Away\nE0,26/08/2023,Arsenal,Everton\nE0,26/08/2023,Chelsea,Fulham\n');
    try {
      const { rejected } = await loadMatches(dir);
      const broken = rejected.find((r) => r.file === 'E0_broken.csv');
      assert.equal(broken?.line, 1);
      assert.match(broken?.reason ?? '', /lacks column\(s\): HomeTeam, AwayTeam; all 2 data rows of the file skipped/);
    } finally {
      await rm(join(dir, 'E0_broken.csv'));
    }
  });
});
