/** 0 = home win, 1 = draw, 2 = away win: the model's class index order. */
export type Outcome = 0 | 1 | 2;

export const OUTCOME_LABELS = ['home_win', 'draw', 'away_win'] as const satisfies readonly [string, string, string];

export type OutcomeLabel = (typeof OUTCOME_LABELS)[number];

export type FullTimeResult = 'H' | 'D' | 'A';

export function outcomeOf(result: FullTimeResult): Outcome {
  return result === 'H' ? 0 : result === 'D' ? 1 : 2;
}
