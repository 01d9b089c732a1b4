/** Class index order of every probability vector: 0 home win, 1 draw, 2 away win. */
export const OUTCOMES = ['home_win', 'draw', 'away_win'] as const;
export type OutcomeLabel = (typeof OUTCOMES)[number];
export type OutcomeClass = 0 | 1 | 2;
