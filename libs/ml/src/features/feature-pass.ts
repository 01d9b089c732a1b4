import type { MatchRecord } from '../data/match-record.js';
import { createFeatureSet, FEATURE_NAMES, type FeatureConfig } from './feature-set.js';
import { isPlayed } from './played-match.js';

/**
 * The single chronological pass behind training, batch and online features. `matches` must be sorted by date.
 * All matches of a date are featurised before any of them updates the state, so a match never sees itself,
 * a same-day match, or anything later. Unplayed fixtures are featurised but change nothing.
 * Returns values in FEATURE_NAMES order, by matchId.
 */
export function computeFeatureValues(matches: readonly MatchRecord[], config: FeatureConfig = {}): Map<number, (number | null)[]> {
  const { log, blocks } = createFeatureSet(config);
  const out = new Map<number, (number | null)[]>();
  let i = 0;
  while (i < matches.length) {
    const date = (matches[i] as MatchRecord).date;
    let end = i;
    while (end < matches.length && (matches[end] as MatchRecord).date === date) end++;
    if (i > 0 && (matches[i - 1] as MatchRecord).date > date) throw new Error('computeFeatureValues: matches not sorted by date');

    for (let j = i; j < end; j++) {
      const match = matches[j] as MatchRecord;
      const values: (number | null)[] = [];
      for (const block of blocks) values.push(...block.compute(match));
      out.set(match.matchId, values);
    }
    for (let j = i; j < end; j++) {
      const match = matches[j] as MatchRecord;
      if (!isPlayed(match)) continue;
      for (const block of blocks) block.update(match);
      log.add(match);
    }
    i = end;
  }
  const width = FEATURE_NAMES.length;
  for (const values of out.values()) {
    if (values.length !== width) throw new Error(`feature blocks produced ${values.length} values for ${width} names`);
  }
  return out;
}
