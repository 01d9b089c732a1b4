import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchIdOf } from '../data/match-id.js';
import type { MatchRecord } from '../data/match-record.js';
import { MatchHistory } from '../features/match-history.js';
import { dataWindow, featureStats, type LabelledRow, timeSplit } from './dataset.js';

function played(season: string, date: string, home: string, away: string, hg: number, ag: number): MatchRecord {
  return {
    matchId: matchIdOf('E0', date, home, away),
    division: 'E0',
    season,
    date,
    homeTeam: home,
    awayTeam: away,
    homeGoals: hg,
    awayGoals: ag,
    result: hg > ag ? 'H' : hg < ag ? 'A' : 'D',
    odds: null,
  };
}

void describe('timeSplit', () => {
  const matches = [
    played('2020-2021', '2020-09-12', 'A', 'B', 1, 0),
    played('2021-2022', '2021-08-14', 'B', 'A', 2, 2),
    played('2021-2022', '2022-05-01', 'A', 'C', 0, 1),
    played('2022-2023', '2022-08-06', 'C', 'A', 3, 1),
    { ...played('2022-2023', '2023-05-28', 'B', 'C', 0, 0), homeGoals: null, awayGoals: null, result: null },
  ];

  void it('validates on the last season, drops the burn-in season and skips unplayed fixtures', () => {
    const split = timeSplit(MatchHistory.fromMatches(matches));
    assert.equal(split.validationSeason, '2022-2023');
    assert.deepEqual(split.burnInSeasons, ['2020-2021']);
    assert.deepEqual(split.train.map((r) => r.match.date), ['2021-08-14', '2022-05-01']);
    assert.deepEqual(split.train.map((r) => r.label), [1, 2]);
    assert.deepEqual(split.validation.map((r) => r.match.date), ['2022-08-06']);
    assert.deepEqual(dataWindow(split.train), { from: '2021-08-14', to: '2022-05-01', rows: 2 });
  });
});

void describe('featureStats', () => {
  void it('ignores nulls, and never returns a zero std', () => {
    const rows = [{ a: 1, b: 5 }, { a: 3, b: 5 }, { a: null, b: 5 }].map(
      (features) => ({ features, label: 0 }) as unknown as LabelledRow,
    );
    assert.deepEqual(featureStats(rows, ['a', 'b']), [
      { name: 'a', mean: 2, std: 1 },
      { name: 'b', mean: 5, std: 1 },
    ]);
  });
});
