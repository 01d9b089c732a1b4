import type { MatchRecord } from '../../data/match-record.js';
import type { FeatureBlock } from '../feature-block.js';
import type { PlayedMatch } from '../played-match.js';

export const HEAD_TO_HEAD_WINDOW = 6;

export const HEAD_TO_HEAD_FEATURES = ['h2h_home_points_rate', 'h2h_meetings'] as const;

interface Meeting {
  homeTeam: string;
  result: PlayedMatch['result'];
}

/**
 * The home side's share of available points in the last meetings of the two clubs (either venue);
 * null when they have not met.
 */
export class HeadToHeadBlock implements FeatureBlock {
  readonly names = HEAD_TO_HEAD_FEATURES;
  private readonly meetings = new Map<string, Meeting[]>();

  compute(match: MatchRecord): (number | null)[] {
    const past = this.meetings.get(pairKey(match.homeTeam, match.awayTeam)) ?? [];
    const recent = past.slice(-HEAD_TO_HEAD_WINDOW);
    if (recent.length === 0) return [null, 0];
    let points = 0;
    for (const m of recent) {
      if (m.result === 'D') points += 1;
      else if ((m.result === 'H') === (m.homeTeam === match.homeTeam)) points += 3;
    }
    return [points / (3 * recent.length), recent.length];
  }

  update(match: PlayedMatch): void {
    const key = pairKey(match.homeTeam, match.awayTeam);
    let list = this.meetings.get(key);
    if (!list) {
      list = [];
      this.meetings.set(key, list);
    }
    list.push({ homeTeam: match.homeTeam, result: match.result });
  }
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
}
