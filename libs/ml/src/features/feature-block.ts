import type { MatchRecord } from '../data/match-record.js';
import type { PlayedMatch } from './played-match.js';

/**
 * One group of related features with its own state. The chronological pass calls `compute` for every match of
 * a date before calling `update` for any played match of that date, so a block sees strictly earlier dates only.
 * To add features: write a block, add its names to `FEATURE_NAMES` via `createFeatureBlocks`.
 */
export interface FeatureBlock {
  readonly names: readonly string[];
  /** Values in `names` order. Must not change state. */
  compute(match: MatchRecord): (number | null)[];
  /** Folds one played match into the state. */
  update(match: PlayedMatch): void;
}
