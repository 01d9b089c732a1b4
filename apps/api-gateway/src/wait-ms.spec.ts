import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestException } from '@nestjs/common';
import { parseWaitMs } from './wait-ms.js';

describe('parseWaitMs', () => {
  it('is 0 when absent or empty', () => {
    assert.equal(parseWaitMs(undefined, 30_000), 0);
    assert.equal(parseWaitMs('', 30_000), 0);
  });

  it('takes whole milliseconds up to the maximum', () => {
    assert.equal(parseWaitMs('0', 30_000), 0);
    assert.equal(parseWaitMs('2500', 30_000), 2500);
    assert.equal(parseWaitMs('30000', 30_000), 30_000);
  });

  it('answers 400 for anything else', () => {
    for (const raw of ['30001', '-1', '1.5', '1e3', 'abc', ' 5', '9999999999', ['1', '2']]) {
      assert.throws(() => parseWaitMs(raw, 30_000), (error: unknown) => error instanceof BadRequestException && error.getStatus() === 400, String(raw));
    }
  });
});
