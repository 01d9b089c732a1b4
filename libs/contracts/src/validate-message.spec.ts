import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { featureMapProblem, featureMismatch } from './feature-map.validator.js';
import { PredictionRequestMessage } from './prediction-request.message.js';
import { PredictRequestDto } from './predict-request.dto.js';
import { MessageValidationError, validateMessage } from './validate-message.js';

describe('validateMessage', () => {
  it('accepts a well-formed request and keeps its features', () => {
    const dto = validateMessage(PredictRequestDto, { match_id: 5, features: { elo_diff: 12.5, rest_days: null } });
    assert.ok(dto instanceof PredictRequestDto);
    assert.deepEqual(dto.features, { elo_diff: 12.5, rest_days: null });
  });

  for (const [what, payload] of [
    ['a string match_id', { match_id: '5' }],
    ['a zero match_id', { match_id: 0 }],
    ['a fractional match_id', { match_id: 2.5 }],
    ['an unsafe integer', { match_id: 2 ** 60 }],
    ['no match_id', { features: {} }],
    ['an unknown field', { match_id: 1, extra: 1 }],
    ['a string feature value', { match_id: 1, features: { a: '1' } }],
    ['an array body', [1]],
    ['a null body', null],
  ] as const) {
    it(`refuses ${what}`, () => {
      assert.throws(() => validateMessage(PredictRequestDto, payload), MessageValidationError);
    });
  }

  it('lists every problem', () => {
    try {
      validateMessage(PredictionRequestMessage, { match_id: 'x', task_id: 'nope' });
      assert.fail('expected a validation error');
    } catch (error) {
      assert.ok(error instanceof MessageValidationError);
      assert.ok(error.problems.some((p) => p.includes('match_id')));
      assert.ok(error.problems.some((p) => p.includes('task_id')));
    }
  });
});

describe('featureMapProblem', () => {
  it('refuses prototype keys, bad names, non-finite numbers and too many keys', () => {
    assert.match(featureMapProblem(JSON.parse('{"__proto__": 1}')) ?? '', /invalid name/);
    assert.match(featureMapProblem({ 'a b': 1 }) ?? '', /invalid name/);
    assert.match(featureMapProblem({ a: Number.NaN }) ?? '', /finite/);
    assert.match(featureMapProblem({ a: Infinity }) ?? '', /finite/);
    assert.match(featureMapProblem(Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`f${i}`, 1]))) ?? '', /at most/);
    assert.equal(featureMapProblem({ a: 1, b: null }), null);
  });
});

describe('featureMismatch', () => {
  it('names unknown and missing features, sorted', () => {
    assert.deepEqual(featureMismatch(['a', 'b', 'c'], { c: 1, z: 2, y: 3 }), { unknown: ['y', 'z'], missing: ['a', 'b'] });
    assert.deepEqual(featureMismatch(['a'], { a: null }), { unknown: [], missing: [] });
  });

  it('finds no mismatch in the signature order or any other, and still notices a name listed twice', () => {
    assert.deepEqual(featureMismatch(['a', 'b', 'c'], { a: 1, b: 2, c: 3 }), { unknown: [], missing: [] });
    assert.deepEqual(featureMismatch(['a', 'b', 'c'], { c: 3, a: 1, b: 2 }), { unknown: [], missing: [] });
    assert.deepEqual(featureMismatch(['a', 'b'], { a: 1, b: 2, c: 3 }), { unknown: ['c'], missing: [] });
    assert.deepEqual(featureMismatch(['a', 'a'], { a: 1, b: 2 }), { unknown: ['b'], missing: [] });
    assert.deepEqual(featureMismatch(['a', 'a'], { a: 1 }), { unknown: [], missing: [] });
    const inherited = Object.assign(Object.create({ b: 2 }) as Record<string, unknown>, { a: 1 });
    assert.deepEqual(featureMismatch(['a', 'b'], inherited), { unknown: [], missing: ['b'] });
  });
});
