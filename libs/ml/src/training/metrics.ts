import type { MatchOdds } from '../data/match-record.js';
import type { Outcome } from '../outcome.js';

export type Probabilities = readonly [number, number, number] | readonly number[];

/** Probabilities are clipped away from 0 so one confident miss cannot make the mean infinite. */
const EPS = 1e-15;

/** Mean negative log-likelihood of the observed outcome (natural log). */
export function logLoss(probs: readonly Probabilities[], labels: readonly Outcome[]): number {
  assertSameLength(probs, labels);
  let sum = 0;
  probs.forEach((p, i) => {
    sum -= Math.log(Math.max(p[labels[i] as Outcome] ?? 0, EPS));
  });
  return sum / probs.length;
}

/** Multi-class Brier score: mean over matches of the squared error summed over the 3 classes (0 best, 2 worst). */
export function brierScore(probs: readonly Probabilities[], labels: readonly Outcome[]): number {
  assertSameLength(probs, labels);
  let sum = 0;
  probs.forEach((p, i) => {
    for (let c = 0; c < 3; c++) sum += ((p[c] ?? 0) - (labels[i] === c ? 1 : 0)) ** 2;
  });
  return sum / probs.length;
}

/** Share of matches whose most likely class (ties to the lower index) happened. */
export function accuracy(probs: readonly Probabilities[], labels: readonly Outcome[]): number {
  assertSameLength(probs, labels);
  let hits = 0;
  probs.forEach((p, i) => {
    if (argmax(p) === labels[i]) hits++;
  });
  return hits / probs.length;
}

/**
 * Expected calibration error over all three class probabilities, in `bins` equal-width bins:
 * the frequency-weighted gap between predicted probability and observed frequency.
 */
export function calibrationError(probs: readonly Probabilities[], labels: readonly Outcome[], bins = 10): number {
  assertSameLength(probs, labels);
  const sumP = new Array<number>(bins).fill(0);
  const sumY = new Array<number>(bins).fill(0);
  const count = new Array<number>(bins).fill(0);
  probs.forEach((p, i) => {
    for (let c = 0; c < 3; c++) {
      const v = p[c] ?? 0;
      const b = Math.min(bins - 1, Math.floor(v * bins));
      sumP[b]! += v;
      sumY[b]! += labels[i] === c ? 1 : 0;
      count[b]!++;
    }
  });
  const total = probs.length * 3;
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    if (count[b]! > 0) ece += (count[b]! / total) * Math.abs(sumP[b]! / count[b]! - sumY[b]! / count[b]!);
  }
  return ece;
}

export function argmax(p: Probabilities): Outcome {
  let best: Outcome = 0;
  if ((p[1] ?? -1) > (p[best] ?? -1)) best = 1;
  if ((p[2] ?? -1) > (p[best] ?? -1)) best = 2;
  return best;
}

/** Implied probabilities with the bookmaker margin removed by normalising 1/odds. */
export function impliedProbabilities(odds: MatchOdds): [number, number, number] {
  const raw = [1 / odds.home, 1 / odds.draw, 1 / odds.away] as const;
  const overround = raw[0] + raw[1] + raw[2];
  return [raw[0] / overround, raw[1] / overround, raw[2] / overround];
}

/** Class frequencies: the base-rate forecast. */
export function classFrequencies(labels: readonly Outcome[]): [number, number, number] {
  const counts: [number, number, number] = [0, 0, 0];
  for (const y of labels) counts[y]++;
  return [counts[0] / labels.length, counts[1] / labels.length, counts[2] / labels.length];
}

function assertSameLength(probs: readonly unknown[], labels: readonly unknown[]): void {
  if (probs.length !== labels.length || probs.length === 0) {
    throw new Error(`metrics need equal, non-empty inputs (${probs.length} vs ${labels.length})`);
  }
}
