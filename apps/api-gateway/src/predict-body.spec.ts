import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UnprocessableEntityException } from '@nestjs/common';
import { PredictRequestDto } from '@app/contracts';
import { validPredictBody as validate } from './predict-body.js';

describe('validPredictBody', () => {
  it('passes a valid body through as the DTO', () => {
    assert.ok(validate({ match_id: 3, features: { a: 1, b: null } }) instanceof PredictRequestDto);
  });

  it('answers 422 listing every problem', () => {
    assert.throws(
      () => validate({ match_id: 'x', extra: 1 }),
      (e: unknown) => {
        const body = (e as UnprocessableEntityException).getResponse() as { statusCode: number; message: string; details: { problems: string[] } };
        return body.statusCode === 422 && body.message === 'invalid request body' && body.details.problems.length >= 2;
      },
    );
  });

  // Each of these made the validator throw something other than a validation error (a 500 before).
  for (const [what, text] of [
    ['7000 nested arrays', `{"match_id":1,"a":${'['.repeat(7000)}${']'.repeat(7000)}}`],
    ['2000 nested arrays in features', `{"match_id":1,"features":${'['.repeat(2000)}${']'.repeat(2000)}}`],
    ['a "constructor" feature', '{"match_id":1,"features":{"constructor":1}}'],
    ['a "constructor" field', '{"match_id":1,"constructor":{"a":1}}'],
    ['a "prototype" field deep down', '{"match_id":1,"x":{"y":{"prototype":1}}}'],
  ] as const) {
    it(`answers 422 for ${what}`, () => {
      assert.throws(() => validate(JSON.parse(text)), (e: unknown) => e instanceof UnprocessableEntityException && e.getStatus() === 422);
    });
  }
});
