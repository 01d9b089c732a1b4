import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { payloadShapeProblem } from './payload-shape.js';
import { PredictRequestDto } from './predict-request.dto.js';
import { MessageValidationError, validateMessage } from './validate-message.js';

describe('payloadShapeProblem', () => {
  it('allows the API shape and refuses depth past the limit', () => {
    assert.equal(payloadShapeProblem({ match_id: 1, features: { a: 1 } }), null);
    assert.equal(payloadShapeProblem(JSON.parse('{"a":[[[[[[1]]]]]]}')), null);
    assert.match(payloadShapeProblem(JSON.parse('{"a":[[[[[[[[1]]]]]]]]}')) ?? '', /nested deeper than 8/);
  });

  it('refuses prototype keys at any depth', () => {
    assert.match(payloadShapeProblem(JSON.parse('{"features":{"__proto__":1}}')) ?? '', /features\.__proto__/);
    assert.equal(payloadShapeProblem({ list: ['constructor'] }), null, 'a value may be any string');
  });
});

describe('validateMessage on pathological payloads', () => {
  it('reports deep nesting and nested prototype keys as validation errors, never a crash', () => {
    const deep = JSON.parse(`{"match_id":1,"features":${'['.repeat(7000)}${']'.repeat(7000)}}`) as unknown;
    assert.throws(() => validateMessage(PredictRequestDto, deep), MessageValidationError);
    assert.throws(() => validateMessage(PredictRequestDto, JSON.parse('{"match_id":1,"features":{"constructor":1}}')), MessageValidationError);
    for (const key of ['valueOf', 'toString', 'hasOwnProperty', '__defineGetter__']) {
      assert.throws(() => validateMessage(PredictRequestDto, JSON.parse(`{"match_id":1,"${key}":""}`)), MessageValidationError, key);
      assert.throws(() => validateMessage(PredictRequestDto, JSON.parse(`{"match_id":1,"features":{"${key}":1}}`)), MessageValidationError, key);
    }
  });
});
