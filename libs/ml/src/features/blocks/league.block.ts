import type { MatchRecord } from '../../data/match-record.js';
import type { FeatureBlock } from '../feature-block.js';
import type { PlayedMatch } from '../played-match.js';

/** About one Premier League season: long enough to be stable, short enough to follow shifts. */
export const LEAGUE_WINDOW = 380;

export const LEAGUE_FEATURES = ['league_home_win_rate', 'league_draw_rate'] as const;

/**
 * Recent home-win and draw rates in the match's division. Home advantage is not constant: it vanished in
 * the 2020-21 season played without crowds, and has drifted down over the decades.
 */
export class LeagueBlock implements FeatureBlock {
  readonly names = LEAGUE_FEATURES;
  private readonly results = new Map<string, PlayedMatch['result'][]>();

  compute(match: MatchRecord): (number | null)[] {
    const recent = (this.results.get(match.division) ?? []).slice(-LEAGUE_WINDOW);
    if (recent.length === 0) return [null, null];
    let home = 0;
    let draw = 0;
    for (const r of recent) {
      if (r === 'H') home++;
      else if (r === 'D') draw++;
    }
    return [home / recent.length, draw / recent.length];
  }

  update(match: PlayedMatch): void {
    let list = this.results.get(match.division);
    if (!list) {
      list = [];
      this.results.set(match.division, list);
    }
    list.push(match.result);
    // Keep memory bounded: the window is all compute() ever reads.
    if (list.length > 4 * LEAGUE_WINDOW) list.splice(0, list.length - LEAGUE_WINDOW);
  }
}
