import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchIdOf } from './match-id.js';

void describe('matchIdOf', () => {
  void it('is pinned: ids are stored in parquet files and caches, so the hash must never change', () => {
    assert.equal(matchIdOf('E0', '1993-08-14', 'Arsenal', 'Coventry'), 7575699113286);
    assert.equal(matchIdOf('E0', '2024-05-19', 'Sheffield United', 'Tottenham'), 25390522762610);
  });

  void it('depends on every part of the key, including home/away order', () => {
    const base = matchIdOf('E0', '2024-05-19', 'Arsenal', 'Everton');
    assert.notEqual(matchIdOf('E1', '2024-05-19', 'Arsenal', 'Everton'), base);
    assert.notEqual(matchIdOf('E0', '2024-05-18', 'Arsenal', 'Everton'), base);
    assert.notEqual(matchIdOf('E0', '2024-05-19', 'Everton', 'Arsenal'), base);
    assert.equal(matchIdOf('E0', '2024-05-19', 'Arsenal', 'Everton'), base);
  });

  void it('stays a positive safe integer below 2^45, also for non-ASCII names', () => {
    for (let i = 0; i < 2000; i++) {
      const id = matchIdOf('E0', '2020-01-01', `Team ${i}`, `Équipe ${i}`);
      assert.ok(Number.isSafeInteger(id) && id >= 1 && id < 2 ** 45, `id ${id}`);
    }
  });
});
