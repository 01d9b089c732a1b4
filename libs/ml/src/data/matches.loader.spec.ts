import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../repo-root.js';
import { matchIdOf } from './match-id.js';
import { loadMatches, parseMatchesCsv } from './matches.loader.js';

const TIME_FILE = [
  'Div,Date,Time,HomeTeam,AwayTeam,FTHG,FTAG,FTR,B365H,B365D,B365A,PSCH,PSCD,PSCA',
  'E0,09/08/2019,20:00,Liverpool,Norwich,4,1,H,1.14,9.5,19,1.13,10.5,23',
  'E0,10/08/2019,12:30,West Ham,Man City,0,5,A,12,6.5,1.22,,,',
  '',
].join('\r\n');

const OLD_FILE = [
  'Div,Date,HomeTeam,AwayTeam,FTHG,FTAG,FTR,,,',
  'E0,14/08/95,Arsenal,Middlesboro,1,1,D,,,',
  'E0,31/02/95,Aston Villa,Man United,3,1,H,,,',
  'E0,15/08/95,Chelsea,Everton,2,0,A,,,',
  'E0,16/08/95,Leeds,,0,0,D,,,',
  ',,,,,,,,,',
  ',,,,,,,,,',
  '',
].join('\n');

void describe('parseMatchesCsv', () => {
  void it('finds columns by header name, so the 2019-20 Time column does not shift the teams', () => {
    const { matches, rejected } = parseMatchesCsv(TIME_FILE, 'E0_2019-2020.csv');
    assert.deepEqual(rejected, []);
    assert.equal(matches.length, 2);
    const [first, second] = matches;
    assert.equal(first?.homeTeam, 'Liverpool');
    assert.equal(first?.awayTeam, 'Norwich');
    assert.equal(first?.date, '2019-08-09');
    assert.equal(first?.season, '2019-2020');
    assert.deepEqual(first?.odds, { home: 1.13, draw: 10.5, away: 23, source: 'PSC' });
    // Pinnacle closing missing: falls back to the next source with all three prices.
    assert.deepEqual(second?.odds, { home: 12, draw: 6.5, away: 1.22, source: 'B365' });
    assert.equal(first?.matchId, matchIdOf('E0', '2019-08-09', 'Liverpool', 'Norwich'));
  });

  void it('reads dd/mm/yy, skips blank padding rows and reports bad rows with their line', () => {
    const { matches, rejected, blankRows } = parseMatchesCsv(OLD_FILE, 'E0_1995-1996.csv');
    assert.equal(blankRows, 2);
    assert.equal(matches.length, 1);
    assert.equal(matches[0]?.date, '1995-08-14');
    assert.equal(matches[0]?.awayTeam, 'Middlesbrough', 'spelling variant is canonicalised');
    assert.equal(matches[0]?.odds, null);
    assert.deepEqual(
      rejected.map((r) => [r.file, r.line]),
      [['E0_1995-1996.csv', 3], ['E0_1995-1996.csv', 4], ['E0_1995-1996.csv', 5]],
    );
    assert.match(rejected[0]?.reason ?? '', /bad date '31\/02\/95'/);
    assert.match(rejected[1]?.reason ?? '', /contradicts score 2-0/);
    assert.match(rejected[2]?.reason ?? '', /missing team/);
  });

  void it('turns rows without a score into fixtures and takes the season from the date when the file name has none', () => {
    const { matches } = parseMatchesCsv('Div,Date,HomeTeam,AwayTeam,FTHG,FTAG,FTR\nE0,20/05/2024,Arsenal,Everton,,,\n', 'fixtures.csv');
    assert.equal(matches.length, 1);
    assert.equal(matches[0]?.result, null);
    assert.equal(matches[0]?.homeGoals, null);
    assert.equal(matches[0]?.season, '2023-2024');
  });
});

void describe('loadMatches', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ml-loader-'));
    await writeFile(join(dir, 'E0_2019-2020.csv'), TIME_FILE);
    await writeFile(join(dir, 'E0_1995-1996.csv'), OLD_FILE);
    // Latin-1: 0xA0 before the referee's name is not valid UTF-8.
    const latin1 = Buffer.concat([
      Buffer.from('Div,Date,HomeTeam,AwayTeam,FTHG,FTAG,FTR,Referee\nE1,07/08/04,Wigan,Nott\'m Forest,1,1,D,'),
      Buffer.from([0xa0]),
      Buffer.from('M Dean\n'),
    ]);
    await writeFile(join(dir, 'E1_2004-2005.csv'), latin1);
    // BOM before the header.
    await writeFile(join(dir, 'E0_2024-2025.csv'), '\ufeffDiv,Date,HomeTeam,AwayTeam,FTHG,FTAG,FTR\nE0,16/08/2024,Man United,Fulham,1,0,H\n');
    // One fixture still to play, one already played (the result file wins), one duplicate result.
    await writeFile(
      join(dir, 'fixtures.csv'),
      'Div,Date,HomeTeam,AwayTeam,FTHG,FTAG,FTR\nE0,24/08/2024,Brighton,Man United,,,\nE0,16/08/2024,Man United,Fulham,,,\n',
    );
    await writeFile(join(dir, 'notes.txt'), 'not a csv');
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  void it('merges every csv, sorted by date, division, home team', async () => {
    const { matches, rejected, blankRows, files } = await loadMatches(dir);
    assert.deepEqual(files, ['E0_1995-1996.csv', 'E0_2019-2020.csv', 'E0_2024-2025.csv', 'E1_2004-2005.csv', 'fixtures.csv']);
    assert.equal(blankRows, 2);
    assert.equal(rejected.length, 3);
    assert.deepEqual(
      matches.map((m) => `${m.date} ${m.division} ${m.homeTeam}`),
      [
        '1995-08-14 E0 Arsenal',
        '2004-08-07 E1 Wigan',
        '2019-08-09 E0 Liverpool',
        '2019-08-10 E0 West Ham',
        '2024-08-16 E0 Man United',
        '2024-08-24 E0 Brighton',
      ],
    );
    const manUtd = matches.find((m) => m.homeTeam === 'Man United');
    assert.equal(manUtd?.result, 'H', 'played row supersedes the fixture row');
    assert.equal(matches.at(-1)?.result, null);
  });

  void it('rejects a second played copy of the same match', async () => {
    await writeFile(join(dir, 'zz_dup.csv'), 'Div,Date,HomeTeam,AwayTeam,FTHG,FTAG,FTR\nE0,16/08/2024,Man United,Fulham,1,0,H\n');
    try {
      const { rejected } = await loadMatches(dir);
      const dup = rejected.find((r) => r.file === 'zz_dup.csv');
      assert.equal(dup?.line, 2);
      assert.match(dup?.reason ?? '', /duplicate of E0_2024-2025\.csv:2/);
    } finally {
      await rm(join(dir, 'zz_dup.csv'));
    }
  });

  void it('loads the shipped data set completely', async () => {
    const { matches, rejected, blankRows } = await loadMatches(join(repoRoot(), 'data', 'football'));
    assert.equal(matches.length, 26_296);
    assert.deepEqual(rejected, []);
    assert.equal(blankRows, 696);
    assert.equal(new Set(matches.map((m) => m.matchId)).size, matches.length);
    const e0 = matches.filter((m) => m.division === 'E0');
    assert.equal(e0.length, 11_944);
    assert.ok(matches.every((m) => m.result !== null));
    assert.ok(e0.filter((m) => m.season >= '2000-2001').every((m) => m.odds !== null), 'every E0 match since 2000-01 has odds');
  });
});
