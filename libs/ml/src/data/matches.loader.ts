import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { FullTimeResult } from '../outcome.js';
import { decodeText } from './decode-text.js';
import { parseCsv } from './parse-csv.js';
import { matchIdOf } from './match-id.js';
import type { MatchRecord, RejectedRow } from './match-record.js';
import { pickOdds } from './odds.js';
import { parseFootballDate } from './parse-date.js';
import { seasonFromDate, seasonFromFileName } from './season.js';
import { canonicalTeamName } from './team-names.js';

export interface ParsedMatches {
  matches: MatchRecord[];
  /** Source line of each entry in `matches` (same index). */
  lines: number[];
  rejected: RejectedRow[];
  /** Rows with every field empty (padding in some old files): dropped, not an error. */
  blankRows: number;
}

export interface LoadedMatches {
  matches: MatchRecord[];
  rejected: RejectedRow[];
  blankRows: number;
  /** CSV file names read, sorted. */
  files: string[];
}

const FILE_DIVISION = /^([A-Za-z]+\d+)_/;
const GOALS = /^\d{1,2}$/;
const KEY_COLUMNS = ['Div', 'Date', 'HomeTeam', 'AwayTeam', 'FTHG', 'FTAG', 'FTR'];

/**
 * Parses one football-data.co.uk CSV. Columns are found by header name, so the `Time` column added in
 * 2019-20 (which shifts `HomeTeam` to the 4th column) and the season-varying odds columns need no special case.
 * Rows with date and teams but no score are fixtures (result null). Team names are canonicalised first
 * (`canonicalTeamName`), so the match id and the features see one spelling per club.
 */
export function parseMatchesCsv(text: string, fileName: string): ParsedMatches {
  const rows = parseCsv(text);
  const rejected: RejectedRow[] = [];
  const matches: MatchRecord[] = [];
  const lines: number[] = [];
  let blankRows = 0;

  const headerRow = rows.find((r) => r.fields.some((f) => f.trim() !== ''));
  if (!headerRow) return { matches, lines, rejected, blankRows: rows.length };
  const index = new Map<string, number>();
  headerRow.fields.forEach((name, i) => {
    const key = name.trim();
    // Old headers end with padding columns named ''; first occurrence wins for any duplicate.
    if (key !== '' && !index.has(key)) index.set(key, i);
  });
  const missing = ['Date', 'HomeTeam', 'AwayTeam'].filter((c) => !index.has(c));
  if (missing.length > 0) {
    const skipped = rows.filter((r) => r.line > headerRow.line && r.fields.some((f) => f.trim() !== '')).length;
    const reason = `header lacks column(s): ${missing.join(', ')}; all ${skipped} data rows of the file skipped`;
    rejected.push({ file: fileName, line: headerRow.line, reason });
    return { matches, lines, rejected, blankRows };
  }

  const fileDivision = FILE_DIVISION.exec(fileName)?.[1] ?? null;
  const fileSeason = seasonFromFileName(fileName);

  for (const row of rows) {
    if (row === headerRow || row.line < headerRow.line) continue;
    if (row.fields.every((f) => f.trim() === '')) {
      blankRows++;
      continue;
    }
    const get = (column: string): string | undefined => {
      const i = index.get(column);
      return i === undefined ? undefined : row.fields[i]?.trim();
    };
    const reject = (reason: string): void => {
      rejected.push({ file: fileName, line: row.line, reason });
    };

    // An unbalanced quote makes one field swallow the following lines: report it rather than lose those rows.
    const multiLine = KEY_COLUMNS.find((c) => /[\r\n]/.test(get(c) ?? ''));
    if (multiLine !== undefined) {
      reject(`${multiLine} spans several lines (unbalanced quote?)`);
      continue;
    }

    const division = get('Div') || fileDivision;
    const rawDate = get('Date') ?? '';
    const homeTeam = canonicalTeamName(get('HomeTeam') ?? '');
    const awayTeam = canonicalTeamName(get('AwayTeam') ?? '');
    if (!division) {
      reject('missing division');
      continue;
    }
    const date = parseFootballDate(rawDate);
    if (date === null) {
      reject(`bad date '${rawDate}'`);
      continue;
    }
    if (homeTeam === '' || awayTeam === '') {
      reject('missing team name');
      continue;
    }
    if (homeTeam === awayTeam) {
      reject(`team plays itself: '${homeTeam}'`);
      continue;
    }

    const score = parseScore(get('FTHG') ?? '', get('FTAG') ?? '', get('FTR') ?? '');
    if (typeof score === 'string') {
      reject(score);
      continue;
    }

    matches.push({
      matchId: matchIdOf(division, date, homeTeam, awayTeam),
      division,
      season: fileSeason ?? seasonFromDate(date),
      date,
      homeTeam,
      awayTeam,
      homeGoals: score?.homeGoals ?? null,
      awayGoals: score?.awayGoals ?? null,
      result: score?.result ?? null,
      odds: pickOdds(get),
    });
    lines.push(row.line);
  }
  return { matches, lines, rejected, blankRows };
}

interface Score {
  homeGoals: number;
  awayGoals: number;
  result: FullTimeResult;
}

/** null = not played yet; a string = why the row is rejected. */
function parseScore(fthg: string, ftag: string, ftr: string): Score | null | string {
  if (fthg === '' && ftag === '' && ftr === '') return null;
  if (!GOALS.test(fthg) || !GOALS.test(ftag)) return `bad score '${fthg}'-'${ftag}'`;
  if (ftr !== 'H' && ftr !== 'D' && ftr !== 'A') return `bad result '${ftr}'`;
  const homeGoals = Number(fthg);
  const awayGoals = Number(ftag);
  const expected: FullTimeResult = homeGoals > awayGoals ? 'H' : homeGoals < awayGoals ? 'A' : 'D';
  if (expected !== ftr) return `result '${ftr}' contradicts score ${homeGoals}-${awayGoals}`;
  return { homeGoals, awayGoals, result: ftr };
}

/** Sort order used everywhere: date, then division, then home team. */
export function compareMatches(a: MatchRecord, b: MatchRecord): number {
  if (a.date !== b.date) return a.date < b.date ? -1 : 1;
  if (a.division !== b.division) return a.division < b.division ? -1 : 1;
  if (a.homeTeam !== b.homeTeam) return a.homeTeam < b.homeTeam ? -1 : 1;
  return 0;
}

/**
 * Loads every `*.csv` in `dir` (results files and an optional `fixtures.csv` without scores). The same match
 * twice: a played row supersedes a fixture row; a second played row, or a second fixture row, is rejected.
 * Throws when two distinct matches hash to the same id, since ids must be unique to be served.
 */
export async function loadMatches(dir: string): Promise<LoadedMatches> {
  const files = (await readdir(dir)).filter((f) => f.toLowerCase().endsWith('.csv')).sort();
  const rejected: RejectedRow[] = [];
  let blankRows = 0;
  const byId = new Map<number, { match: MatchRecord; file: string; line: number }>();

  for (const file of files) {
    const { text } = decodeText(await readFile(join(dir, file)));
    const parsed = parseMatchesCsv(text, basename(file));
    rejected.push(...parsed.rejected);
    blankRows += parsed.blankRows;
    parsed.matches.forEach((match, i) => {
      const line = parsed.lines[i] ?? 0;
      const seen = byId.get(match.matchId);
      if (!seen) {
        byId.set(match.matchId, { match, file, line });
        return;
      }
      const a = seen.match;
      if (a.division !== match.division || a.date !== match.date || a.homeTeam !== match.homeTeam || a.awayTeam !== match.awayTeam) {
        throw new Error(`matchId collision ${match.matchId}: ${describe(a)} vs ${describe(match)}`);
      }
      if (a.result === null && match.result !== null) {
        byId.set(match.matchId, { match, file, line });
      } else if (match.result !== null) {
        rejected.push({ file, line, reason: `duplicate of ${seen.file}:${seen.line} (${describe(match)})` });
      } else if (a.result === null) {
        rejected.push({ file, line, reason: `duplicate fixture of ${seen.file}:${seen.line}, first kept (${describe(match)})` });
      }
      // Else a fixture row of a match already played: the result supersedes it, as documented above.
    });
  }
  const matches = [...byId.values()].map((v) => v.match).sort(compareMatches);
  return { matches, rejected, blankRows, files };
}

function describe(m: MatchRecord): string {
  return `${m.division} ${m.date} ${m.homeTeam} v ${m.awayTeam}`;
}
