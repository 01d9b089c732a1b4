import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative } from 'node:path';
import { decodeText } from '../data/decode-text.js';
import type { MatchRecord, RejectedRow } from '../data/match-record.js';
import { loadMatches, parseMatchesCsv } from '../data/matches.loader.js';
import { MatchHistory } from '../features/match-history.js';
import { isPlayed } from '../features/played-match.js';
import { outcomeOf } from '../outcome.js';
import { repoRoot } from '../repo-root.js';
import type { LabelledRow } from '../training/dataset.js';

export interface EvaluationSetOptions {
  /** A folder of football-data CSVs, or one CSV file. */
  data: string;
  /** Folder whose matches give a single CSV its history; ignored for a folder. Default: the repo's data/football. */
  history?: string;
  /** Inclusive ISO date bounds on the evaluated matches. */
  from?: string;
  to?: string;
}

export interface EvaluationSet {
  /** Finished matches to score, sorted, each featurised point in time from the whole history. */
  rows: LabelledRow[];
  /** Every match the features were computed from (evaluated set included). */
  history: MatchHistory;
  /** One line naming the data, history, date bounds and size, for reports and the promotion log. */
  description: string;
  /** sha256 over the evaluated match ids and results: the same set gives the same fingerprint. */
  fingerprint: string;
  data: string;
  /** null when `data` is a folder (it is its own history). */
  historySource: string | null;
  from: string | null;
  to: string | null;
  /** Matches in range without a result (fixtures): not scored. */
  skippedUnplayed: number;
  rejected: RejectedRow[];
}

/** The evaluated set cannot be scored: empty after filtering, unreadable, or malformed options. */
export class EvaluationSetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvaluationSetError';
  }
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Loads the finished matches to evaluate on and featurises them from ALL history, so the first matches of a
 * season get the same features they had in training (a CSV featurised alone would start every team from zero).
 * A single CSV is merged into `history` by match id; its own rows win, so a fresher copy of a season counts.
 */
export async function loadEvaluationSet(options: EvaluationSetOptions): Promise<EvaluationSet> {
  const from = checkDate(options.from, '--from');
  const to = checkDate(options.to, '--to');
  if (from !== null && to !== null && from > to) throw new EvaluationSetError(`--from ${from} is after --to ${to}`);

  const kind = await pathKind(options.data, '--data');
  let candidates: readonly MatchRecord[];
  let all: MatchRecord[];
  let rejected: RejectedRow[];
  let historySource: string | null = null;
  if (kind === 'dir') {
    const loaded = await loadMatches(options.data);
    if (loaded.files.length === 0) throw new EvaluationSetError(`--data ${options.data} holds no .csv files`);
    candidates = loaded.matches;
    all = loaded.matches;
    rejected = loaded.rejected;
  } else {
    historySource = options.history ?? join(repoRoot(), 'data', 'football');
    if ((await pathKind(historySource, '--history')) !== 'dir') throw new EvaluationSetError(`--history ${historySource} is not a folder`);
    const parsed = parseMatchesCsv(decodeText(await readData(options.data)).text, basename(options.data));
    const past = await loadMatches(historySource);
    const byId = new Map(past.matches.map((m) => [m.matchId, m]));
    for (const m of parsed.matches) byId.set(m.matchId, m);
    candidates = parsed.matches;
    all = [...byId.values()];
    rejected = [...parsed.rejected, ...past.rejected];
  }

  const inRange = candidates.filter((m) => (from === null || m.date >= from) && (to === null || m.date <= to));
  const played = inRange.filter(isPlayed);
  const where = describeSource(options.data, historySource, from, to);
  if (played.length === 0) {
    throw new EvaluationSetError(`No finished matches to evaluate in ${where} (${inRange.length} in range, ${inRange.length - played.length} without a result)`);
  }

  const history = MatchHistory.fromMatches(all);
  const ids = new Set(played.map((m) => m.matchId));
  const rows: LabelledRow[] = history.matches.flatMap((m) =>
    ids.has(m.matchId) && isPlayed(m) ? [{ match: m, features: history.featuresFor(m.matchId) ?? {}, label: outcomeOf(m.result) }] : [],
  );
  const first = rows[0]!.match.date;
  const last = rows.at(-1)!.match.date;
  const withOdds = rows.filter((r) => r.match.odds !== null).length;
  return {
    rows,
    history,
    description: `${where}: ${rows.length} finished matches ${first}..${last}, ${withOdds} with odds`,
    fingerprint: fingerprintOf(rows),
    data: options.data,
    historySource,
    from,
    to,
    skippedUnplayed: inRange.length - played.length,
    rejected,
  };
}

function checkDate(value: string | undefined, flag: string): string | null {
  if (value === undefined) return null;
  const parsed = new Date(`${value}T00:00:00Z`);
  // The round trip rejects 2024-02-30, which Date would roll over to March.
  if (!ISO_DATE.test(value) || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== value) {
    throw new EvaluationSetError(`${flag} expects YYYY-MM-DD, got '${value}'`);
  }
  return value;
}

async function pathKind(path: string, flag: string): Promise<'dir' | 'file'> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) return 'dir';
    if (info.isFile()) return 'file';
  } catch (err) {
    throw new EvaluationSetError(`Cannot read ${flag} ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  throw new EvaluationSetError(`${flag} ${path} is neither a file nor a folder`);
}

async function readData(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new EvaluationSetError(`Cannot read --data ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function describeSource(data: string, history: string | null, from: string | null, to: string | null): string {
  const parts = [shortPath(data)];
  if (history !== null) parts.push(`(history ${shortPath(history)})`);
  if (from !== null || to !== null) parts.push(`[${from ?? '…'} to ${to ?? '…'}]`);
  return parts.join(' ');
}

/** Repo-relative when inside the repo, so log lines do not depend on where the repo is checked out. */
function shortPath(path: string): string {
  const rel = relative(repoRoot(), path);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

function fingerprintOf(rows: readonly LabelledRow[]): string {
  const hash = createHash('sha256');
  for (const r of rows) hash.update(`${r.match.matchId}:${r.label}\n`);
  return `sha256:${hash.digest('hex').slice(0, 16)}`;
}
