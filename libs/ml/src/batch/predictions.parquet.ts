import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { BatchPrediction } from './batch-prediction.js';

type ColumnType = 'INT64' | 'INT32' | 'DOUBLE' | 'STRING';

/** Column order and parquet types; dates stay ISO strings so every reader sees the same text. */
const COLUMNS: readonly { name: keyof BatchPrediction; type: ColumnType }[] = [
  { name: 'match_id', type: 'INT64' },
  { name: 'division', type: 'STRING' },
  { name: 'match_date', type: 'STRING' },
  { name: 'home_team', type: 'STRING' },
  { name: 'away_team', type: 'STRING' },
  { name: 'prob_home_win', type: 'DOUBLE' },
  { name: 'prob_draw', type: 'DOUBLE' },
  { name: 'prob_away_win', type: 'DOUBLE' },
  { name: 'predicted_class', type: 'INT32' },
  { name: 'model_name', type: 'STRING' },
  { name: 'model_version', type: 'INT32' },
  { name: 'model_run_id', type: 'STRING' },
  { name: 'scored_at', type: 'STRING' },
];

/**
 * Writes the whole file next to its destination, then renames it into place: readers (possibly on other
 * machines sharing the folder) see the old file or the new one, never half of one.
 */
export async function writePredictionsParquet(file: string, rows: readonly BatchPrediction[]): Promise<void> {
  const buffer = parquetWriteBuffer({
    columnData: COLUMNS.map(({ name, type }) => ({
      name,
      type,
      nullable: false,
      // The writer takes INT64 values as bigint only.
      data: type === 'INT64' ? rows.map((r) => BigInt(r[name])) : rows.map((r) => r[name]),
    })),
    createdBy: 'match-predict libs/ml batch inference',
  });
  await mkdir(dirname(file), { recursive: true });
  const tmp = join(dirname(file), `.${basename(file)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    await writeFile(tmp, new Uint8Array(buffer));
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

export async function readPredictionsParquet(file: string): Promise<BatchPrediction[]> {
  const rows = await parquetReadObjects({ file: await asyncBufferFromFile(file) });
  return rows.map((row, i) => {
    const get = (name: keyof BatchPrediction, type: ColumnType): string | number => {
      const value: unknown = row[name];
      if (type === 'STRING') {
        if (typeof value !== 'string') throw new Error(`${file} row ${i}: ${name} is not a string`);
        return value;
      }
      const n = typeof value === 'bigint' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n)) throw new Error(`${file} row ${i}: ${name} is not a number`);
      return n;
    };
    const out: Record<string, string | number> = {};
    for (const { name, type } of COLUMNS) out[name] = get(name, type);
    return out as unknown as BatchPrediction;
  });
}
