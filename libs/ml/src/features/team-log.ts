import type { PlayedMatch } from './played-match.js';

export interface TeamMatch {
  date: string;
  season: string;
  division: string;
  venue: 'home' | 'away';
  goalsFor: number;
  goalsAgainst: number;
  points: number;
}

interface TeamEntries {
  all: TeamMatch[];
  home: TeamMatch[];
  away: TeamMatch[];
}

const NONE: readonly TeamMatch[] = [];

/** Every team's played matches in date order, shared by the blocks that need recent history. */
export class TeamLog {
  private readonly teams = new Map<string, TeamEntries>();

  add(match: PlayedMatch): void {
    const homePoints = match.result === 'H' ? 3 : match.result === 'D' ? 1 : 0;
    const awayPoints = match.result === 'A' ? 3 : match.result === 'D' ? 1 : 0;
    const base = { date: match.date, season: match.season, division: match.division };
    this.push(match.homeTeam, { ...base, venue: 'home', goalsFor: match.homeGoals, goalsAgainst: match.awayGoals, points: homePoints });
    this.push(match.awayTeam, { ...base, venue: 'away', goalsFor: match.awayGoals, goalsAgainst: match.homeGoals, points: awayPoints });
  }

  /** Matches of `team`, oldest first; optionally only at one venue. */
  matches(team: string, venue?: 'home' | 'away'): readonly TeamMatch[] {
    const entries = this.teams.get(team);
    if (!entries) return NONE;
    return venue ? entries[venue] : entries.all;
  }

  private push(team: string, entry: TeamMatch): void {
    let entries = this.teams.get(team);
    if (!entries) {
      entries = { all: [], home: [], away: [] };
      this.teams.set(team, entries);
    }
    entries.all.push(entry);
    entries[entry.venue].push(entry);
  }
}

/** Mean of `pick` over the last `n` entries (fewer if fewer exist); null when there are none. */
export function lastMean(entries: readonly TeamMatch[], n: number, pick: (m: TeamMatch) => number): number | null {
  const from = Math.max(0, entries.length - n);
  if (entries.length === from) return null;
  let sum = 0;
  for (let i = from; i < entries.length; i++) sum += pick(entries[i] as TeamMatch);
  return sum / (entries.length - from);
}
