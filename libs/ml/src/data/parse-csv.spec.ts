import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeText } from './decode-text.js';
import { parseCsv } from './parse-csv.js';

void describe('parseCsv', () => {
  void it('handles LF, CRLF, quotes with commas, escaped quotes and embedded newlines', () => {
    const rows = parseCsv('a,b\r\n"x, y","say ""hi"""\n"multi\nline",z\n');
    assert.deepEqual(rows, [
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'say "hi"'] },
      { line: 3, fields: ['multi\nline', 'z'] },
    ]);
  });

  void it('keeps blank rows (for line numbers) and a last row without newline', () => {
    const rows = parseCsv('a,b\n,,\n\n1,2');
    assert.deepEqual(rows.map((r) => r.line), [1, 2, 3, 4]);
    assert.deepEqual(rows[3]?.fields, ['1', '2']);
  });
});

void describe('decodeText', () => {
  void it('decodes UTF-8 and strips a BOM', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from('Div,Café')]);
    assert.deepEqual(decodeText(bytes), { text: 'Div,Café', encoding: 'utf-8' });
  });

  void it('falls back to Latin-1 for bytes that are not valid UTF-8', () => {
    const bytes = new Uint8Array([0x41, 0xa0, 0x42]);
    assert.deepEqual(decodeText(bytes), { text: 'A\u00a0B', encoding: 'latin1' });
  });
});
