import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BatchPrediction } from './batch-prediction.js';
import { readPredictionsParquet, writePredictionsParquet } from './predictions.parquet.js';

const ROWS: BatchPrediction[] = [
  {
    match_id: 2 ** 45 - 1,
    division: 'E0',
    match_date: '2024-04-02',
    home_team: "Nott'm Forest",
    away_team: 'Fulham',
    prob_home_win: 0.4123456789012345,
    prob_draw: 0.2876543210987655,
    prob_away_win: 0.3,
    predicted_class: 0,
    model_name: 'match-outcome',
    model_version: 1,
    model_run_id: 'abc123',
    scored_at: '2024-04-01T06:00:00.000Z',
  },
  {
    match_id: 1,
    division: 'E1',
    match_date: '2024-05-19',
    home_team: 'Atlético Ñ',
    away_team: 'Sheffield United',
    prob_home_win: 0.1,
    prob_draw: 0.2,
    prob_away_win: 0.7,
    predicted_class: 2,
    model_name: 'match-outcome',
    model_version: 12,
    model_run_id: 'abc123',
    scored_at: '2024-04-01T06:00:00.000Z',
  },
];

void describe('predictions parquet', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ml-parquet-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  void it('round-trips every column exactly, including ids near 2^45 and non-ASCII names', async () => {
    const file = join(dir, 'nested', 'batch_predictions.parquet');
    await writePredictionsParquet(file, ROWS);
    assert.deepEqual(await readPredictionsParquet(file), ROWS);
  });

  void it('replaces an existing file atomically and leaves no temp files', async () => {
    const file = join(dir, 'replace.parquet');
    await writePredictionsParquet(file, ROWS);
    await writePredictionsParquet(file, ROWS.slice(1));
    assert.deepEqual(await readPredictionsParquet(file), ROWS.slice(1));
    assert.deepEqual(await readdir(dir), ['nested', 'replace.parquet']);
  });

  void it('writes and reads an empty batch', async () => {
    const file = join(dir, 'empty.parquet');
    await writePredictionsParquet(file, []);
    assert.deepEqual(await readPredictionsParquet(file), []);
  });
});
