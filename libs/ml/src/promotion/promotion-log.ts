import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { assertModelName } from '../registry/model-ref.js';
import type { PromotionDecisionKind } from './promotion-gate.js';

export const PROMOTIONS_LOG = 'promotions.log';

/** One line of `models/<name>/promotions.log`. */
export interface PromotionLogEntry {
  timestamp: string;
  name: string;
  decision: PromotionDecisionKind;
  /** Champion version before the decision (null: there was none). */
  from: number | null;
  /** Candidate version. */
  to: number;
  candidate_log_loss: number;
  champion_log_loss: number | null;
  /** Bookmakers on the same set, for scale. */
  bookmaker_log_loss: number | null;
  evaluation_set: { description: string; fingerprint: string; matches: number; matches_with_odds: number };
  forced: boolean;
  reason: string | null;
  /** The gate's own verdict, e.g. `candidate 0.930100 > champion 0.924400`. */
  gate: string;
  candidate_run_id: string;
  champion_run_id: string | null;
}

export function promotionLogPath(registryRoot: string, name: string): string {
  assertModelName(name);
  return join(registryRoot, name, PROMOTIONS_LOG);
}

/** Appends one JSON line. O_APPEND keeps concurrent writers' lines whole (each line is one small write). */
export async function appendPromotionLog(registryRoot: string, entry: PromotionLogEntry): Promise<void> {
  const file = promotionLogPath(registryRoot, entry.name);
  await mkdir(dirname(file), { recursive: true });
  await appendFile(file, `${JSON.stringify(entry)}\n`, { flag: 'a' });
}

export async function readPromotionLog(registryRoot: string, name: string): Promise<PromotionLogEntry[]> {
  let text: string;
  try {
    text = await readFile(promotionLogPath(registryRoot, name), 'utf8');
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return [];
    throw err;
  }
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as PromotionLogEntry);
}
