import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkOverride, decidePromotion, PromotionOverrideError } from './promotion-gate.js';

void describe('decidePromotion', () => {
  it('promotes a better candidate', () => {
    const d = decidePromotion({ candidateLogLoss: 0.91, championLogLoss: 0.92 });
    assert.deepEqual(
      { decision: d.decision, promote: d.promote, forced: d.forced, gatePassed: d.gatePassed, reason: d.reason },
      { decision: 'promoted', promote: true, forced: false, gatePassed: true, reason: null },
    );
    assert.equal(d.detail, 'candidate 0.910000 <= champion 0.920000');
  });

  it('refuses a worse candidate, naming both log-losses', () => {
    const d = decidePromotion({ candidateLogLoss: 0.93, championLogLoss: 0.92 });
    assert.equal(d.decision, 'refused');
    assert.equal(d.promote, false);
    assert.equal(d.gatePassed, false);
    assert.equal(d.detail, 'candidate 0.930000 > champion 0.920000');
  });

  it('promotes an equal candidate (no worse)', () => {
    const d = decidePromotion({ candidateLogLoss: 0.9243609358270105, championLogLoss: 0.9243609358270105 });
    assert.equal(d.decision, 'promoted');
    assert.equal(d.promote, true);
  });

  it('forces a worse candidate when a reason is given, and marks it', () => {
    const d = decidePromotion({ candidateLogLoss: 0.95, championLogLoss: 0.92, force: true, reason: '  roll back to the calibrated model  ' });
    assert.equal(d.decision, 'forced');
    assert.equal(d.promote, true);
    assert.equal(d.forced, true);
    assert.equal(d.gatePassed, false);
    assert.equal(d.reason, 'roll back to the calibrated model');
  });

  it('refuses --force without a reason, before deciding anything', () => {
    for (const reason of [undefined, '', '   ']) {
      assert.throws(() => decidePromotion({ candidateLogLoss: 0.95, championLogLoss: 0.92, force: true, ...(reason === undefined ? {} : { reason }) }), PromotionOverrideError);
      assert.throws(() => checkOverride(true, reason), /--force requires --reason/);
    }
    assert.equal(checkOverride(false, undefined), null);
  });

  it('does not count --force as an override when the gate passes anyway', () => {
    const d = decidePromotion({ candidateLogLoss: 0.9, championLogLoss: 0.92, force: true, reason: 'belt and braces' });
    assert.equal(d.decision, 'promoted');
    assert.equal(d.forced, false);
    assert.equal(d.reason, 'belt and braces');
  });

  it('promotes when there is no champion, and never passes a non-finite candidate', () => {
    assert.equal(decidePromotion({ candidateLogLoss: 1.0, championLogLoss: null }).decision, 'promoted');
    assert.equal(decidePromotion({ candidateLogLoss: Number.NaN, championLogLoss: 0.92 }).decision, 'refused');
    assert.equal(decidePromotion({ candidateLogLoss: Number.NaN, championLogLoss: null }).decision, 'refused');
  });
});
