import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKeySet } from './api-key-set.js';

describe('ApiKeySet', () => {
  const keys = new ApiKeySet(['first-key-0123456789', 'second-key-0123456789']);

  it('finds the matching key by index', () => {
    assert.equal(keys.match('first-key-0123456789'), 0);
    assert.equal(keys.match('second-key-0123456789'), 1);
  });

  it('refuses near misses, prefixes, empty and missing keys', () => {
    for (const candidate of ['first-key-012345678', 'first-key-01234567890', 'FIRST-KEY-0123456789', '', undefined, 'first-key-0123456789 ']) {
      assert.equal(keys.match(candidate), -1, JSON.stringify(candidate));
    }
  });

  it('is disabled without keys, and matches nothing then', () => {
    const none = new ApiKeySet([]);
    assert.equal(none.enabled, false);
    assert.equal(none.match(''), -1);
    assert.equal(keys.enabled, true);
  });

  it('parses comma-separated keys, ignoring blanks', () => {
    assert.deepEqual(ApiKeySet.parse(' a , b,,c '), ['a', 'b', 'c']);
    assert.deepEqual(ApiKeySet.parse(''), []);
  });
});
