import type { MatchRecord } from '../data/match-record.js';
import { compareMatches } from '../data/matches.loader.js';
import { computeFeatureValues } from './feature-pass.js';
import { FEATURE_NAMES } from './feature-set.js';
import type { FeatureVector } from './feature-vector.js';

/**
 * Point-in-time features for every known match, from one chronological pass at construction
 * (26k matches take well under a second). Training, batch inference and the online predictor all read
 * features from here, so they cannot drift apart.
 */
export class MatchHistory {
  private readonly byId = new Map<number, MatchRecord>();

  private constructor(
    /** Sorted by date, division, home team. */
    readonly matches: readonly MatchRecord[],
    private readonly values: Map<number, (number | null)[]>,
  ) {
    for (const m of matches) this.byId.set(m.matchId, m);
  }

  static fromMatches(matches: readonly MatchRecord[]): MatchHistory {
    const sorted = [...matches].sort(compareMatches);
    return new MatchHistory(sorted, computeFeatureValues(sorted));
  }

  get featureNames(): readonly string[] {
    return FEATURE_NAMES;
  }

  get(matchId: number): MatchRecord | undefined {
    return this.byId.get(matchId);
  }

  /** Features from matches strictly before this match's date; a fresh object each call. */
  featuresFor(matchId: number): FeatureVector | undefined {
    const values = this.values.get(matchId);
    if (!values) return undefined;
    const vector: FeatureVector = {};
    FEATURE_NAMES.forEach((name, i) => {
      vector[name] = values[i] ?? null;
    });
    return vector;
  }

  /** Matches dated on or after `asOf` (ISO date): fixtures, and for the demo, played matches after the as-of date. */
  upcoming(asOf: string): MatchRecord[] {
    return this.matches.filter((m) => m.date >= asOf);
  }
}
