import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Outcome } from '../outcome.js';
import { accuracy, brierScore, calibrationError, classFrequencies, impliedProbabilities, logLoss } from './metrics.js';

const close = (a: number, b: number, tol = 1e-12): void => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

void describe('metrics', () => {
  const labels: Outcome[] = [0, 1, 2, 0];
  const probs = [
    [0.5, 0.3, 0.2],
    [0.2, 0.5, 0.3],
    [0.6, 0.2, 0.2],
    [1, 0, 0],
  ];

  void it('log-loss is the mean negative log of the observed outcome, clipped at zero probability', () => {
    close(logLoss(probs, labels), -(Math.log(0.5) + Math.log(0.5) + Math.log(0.2) + Math.log(1)) / 4);
    assert.ok(Number.isFinite(logLoss([[1, 0, 0]], [2])));
    close(logLoss([[1 / 3, 1 / 3, 1 / 3]], [1]), Math.log(3));
  });

  void it('Brier sums squared errors over classes', () => {
    const expected = (0.25 + 0.09 + 0.04 + (0.04 + 0.25 + 0.09) + (0.36 + 0.04 + 0.64) + 0) / 4;
    close(brierScore(probs, labels), expected);
  });

  void it('accuracy counts argmax hits', () => {
    close(accuracy(probs, labels), 3 / 4);
  });

  void it('calibration error is 0 for a perfectly calibrated constant forecast', () => {
    const y: Outcome[] = [0, 0, 1, 2];
    close(calibrationError(y.map(() => [0.5, 0.25, 0.25]), y), 0);
    assert.ok(calibrationError([[0.9, 0.05, 0.05]], [2]) > 0.5);
  });

  void it('removes the bookmaker margin from odds', () => {
    const p = impliedProbabilities({ home: 2, draw: 3.4, away: 3.8, source: 'PSC' });
    close(p[0] + p[1] + p[2], 1);
    close(p[0] / p[1], 3.4 / 2);
    assert.deepEqual(classFrequencies([0, 0, 1, 2]), [0.5, 0.25, 0.25]);
  });

  void it('refuses mismatched inputs', () => {
    assert.throws(() => logLoss(probs, [0]), /equal/);
  });
});
