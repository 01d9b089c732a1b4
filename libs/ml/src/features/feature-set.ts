import type { FeatureBlock } from './feature-block.js';
import { DEFAULT_ELO_PARAMS, ELO_FEATURES, EloBlock, type EloParams } from './blocks/elo.block.js';
import { FORM_FEATURES, FormBlock } from './blocks/form.block.js';
import { HEAD_TO_HEAD_FEATURES, HeadToHeadBlock } from './blocks/head-to-head.block.js';
import { LEAGUE_FEATURES, LeagueBlock } from './blocks/league.block.js';
import { DEFAULT_PI_PARAMS, PI_RATING_FEATURES, PiRatingBlock, type PiRatingParams } from './blocks/pi-rating.block.js';
import { SCHEDULE_FEATURES, ScheduleBlock } from './blocks/schedule.block.js';
import { TeamLog } from './team-log.js';

/** The feature signature order used for training; a model's metadata carries its own copy. */
export const FEATURE_NAMES: readonly string[] = Object.freeze([
  ...ELO_FEATURES,
  ...PI_RATING_FEATURES,
  ...FORM_FEATURES,
  ...SCHEDULE_FEATURES,
  ...HEAD_TO_HEAD_FEATURES,
  ...LEAGUE_FEATURES,
]);

export interface FeatureSet {
  log: TeamLog;
  /** In FEATURE_NAMES order. */
  blocks: FeatureBlock[];
}

/**
 * Tunables of the feature definitions. Serving always uses the defaults, so a model trained with other values
 * would get different inputs: change the defaults (and retrain) rather than passing options in production.
 */
export interface FeatureConfig {
  elo?: Partial<EloParams>;
  pi?: Partial<PiRatingParams>;
}

/** Fresh, empty state for one chronological pass. */
export function createFeatureSet(config: FeatureConfig = {}): FeatureSet {
  const log = new TeamLog();
  const elo = new EloBlock({ ...DEFAULT_ELO_PARAMS, ...config.elo });
  const pi = new PiRatingBlock({ ...DEFAULT_PI_PARAMS, ...config.pi });
  return { log, blocks: [elo, pi, new FormBlock(log), new ScheduleBlock(log), new HeadToHeadBlock(), new LeagueBlock()] };
}
