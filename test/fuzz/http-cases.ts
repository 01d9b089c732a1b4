// Generators of hostile HTTP requests for the gateway fuzz suite. Every "invalid" generator is invalid by
// construction (whatever the content type or framing), so the gateway must refuse it and queue nothing.
import fc from 'fast-check';
import type { RawRequest } from './raw-http.js';

export interface BodyCase {
  kind: string;
  text: string;
}

export interface HttpCase {
  request: RawRequest;
  /** Statuses this case may get; anything else fails the property. */
  expect: readonly number[];
  /** The request is cut short, so the server may close without answering. */
  mayGetNoAnswer?: boolean;
}

/** Short, printable form of a case for fast-check's counterexample report (bodies can be 100 KB). */
export function described(c: HttpCase): HttpCase {
  const show = (text: string) => (text.length > 160 ? `${JSON.stringify(text.slice(0, 160))}…(${text.length} chars)` : JSON.stringify(text));
  const r = c.request;
  const head = r.raw ? `RAW ${show(r.raw.toString('latin1'))}` : `${r.method} ${show(r.target)}`;
  const headers = r.headers.length > 8 ? `${r.headers.length} headers` : r.headers.map(([n, v]) => `${show(n)}: ${show(v)}`).join(', ');
  const body = r.body === undefined ? '' : ` body ${show(r.body.toString())}`;
  return Object.assign(c, { [fc.toStringMethod]: () => `${head} [${headers}]${body} expect ${c.expect.join('/')}` });
}

/** Refusals a request with an invalid body or headers may get. Never 2xx, never 5xx. */
export const REFUSALS = [400, 413, 415, 417, 422, 431] as const;

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** `text` if it is not valid JSON, else `text` with one `}` too many (so it is not). */
export function breakJson(text: string): string {
  try {
    JSON.parse(text);
    return `${text}}`;
  } catch {
    return text;
  }
}

const positiveId = fc.integer({ min: 1, max: MAX_SAFE });
const finite = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 });
const anyString = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 20 }));

/** A valid feature map for the serving model, or none (then the request is valid by itself). */
export function validFeatures(names: readonly string[]): fc.Arbitrary<Record<string, number | null> | undefined> {
  return fc.option(fc.tuple(...names.map(() => fc.option(finite, { freq: 8, nil: null }))).map((values) => Object.fromEntries(names.map((n, i) => [n, values[i]!]))), {
    freq: 4,
    nil: undefined,
  });
}

export function validBody(names: readonly string[]): fc.Arbitrary<{ match_id: number; features?: Record<string, number | null> }> {
  return fc.record({ match_id: positiveId, features: validFeatures(names) }, { requiredKeys: ['match_id'] }).map((b) => (b.features === undefined ? { match_id: b.match_id } : b));
}

/** JSON texts of a value that is never a valid match_id. */
const badMatchIdText = fc.oneof(
  fc.constantFrom('0', '-1', '-0', '1.5', '1e-400', '1e309', '-1e309', '1E400', '9007199254740992', '9007199254740993', '1e16', 'null', 'true', 'false', '[]', '[5]', '{}', '{"$gt":0}', '"5"', '"NaN"', '"Infinity"', '"-Infinity"', '""'),
  fc.integer({ min: 17, max: 4000 }).map((n) => `1${'0'.repeat(n)}`),
  fc.integer({ min: 1, max: 4000 }).map((n) => `-${'9'.repeat(n)}`),
  fc.double({ noInteger: true, noNaN: true, noDefaultInfinity: true }).filter((d) => d !== 0).map((d) => JSON.stringify(d)),
  fc.integer({ min: -MAX_SAFE, max: 0 }).map(String),
  anyString.map((s) => JSON.stringify(s)),
);

/** JSON texts that are never a valid feature value (a valid one is a finite number or null). */
const badFeatureValueText = fc.oneof(
  fc.constantFrom('"1"', '"NaN"', '"Infinity"', '1e309', '-1e309', 'true', 'false', '[]', '[1]', '{}', '{"v":1}', '""'),
  anyString.map((s) => JSON.stringify(s)),
);

/** Not JSON at all: NaN and Infinity spelled as JavaScript, comments, single quotes, cut-off texts... */
const malformedJsonText = fc.oneof(
  fc.constantFrom(
    '{', '}', '[', '"', '{"match_id": }', '{"match_id":1,}', "{'match_id':1}", '{match_id:1}', '{"match_id":1} x', '{"match_id":1}{"match_id":2}',
    '{"match_id":NaN}', '{"match_id":Infinity}', '{"match_id":-Infinity}', '{"match_id":+1}', '{"match_id":0x10}', '{"match_id":01}',
    '{"match_id":.5}', '{"match_id":1.}', '{"match_id":1e}', '{"match_id":undefined}', '{"match_id":1 /* c */}', '// c\n{"match_id":1}',
    '{"match_id":"\u0001"}', '{"match_id":"\\x41"}', '{"match_id":"\\u12"}', '\u0000', 'nul', 'tru', '{"a":1', '{"features":{"a":NaN},"match_id":1}',
    '{"features":{"a":Infinity},"match_id":1}', '{"features":{"a":-Infinity},"match_id":1}', '{"match_id":1,"features":{"a":1,}}', '\ufeff\ufeff{"match_id":1}',
  ),
  fc.tuple(fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ match_id: 1, v })), fc.nat()).map(([t, n]) => breakJson(t.slice(0, 1 + (n % (t.length - 1))))),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }).map(breakJson),
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 200 }).map(breakJson),
);

/** Valid JSON, invalid request: every path to a 422. */
function invalidJsonBodies(names: readonly string[]): fc.Arbitrary<BodyCase> {
  const someName = names.length > 0 ? fc.constantFrom(...names) : fc.constant('feature');
  const allNamesZero = (): Record<string, number> => Object.fromEntries(names.map((n) => [n, 0]));
  const withFeatureValue = (name: string, valueText: string): string => {
    const rest = JSON.stringify(Object.fromEntries(Object.entries(allNamesZero()).filter(([k]) => k !== name)));
    return `{"match_id":7,"features":{${JSON.stringify(name)}:${valueText}${rest === '{}' ? '' : `,${rest.slice(1, -1)}`}}}`;
  };
  return fc.oneof(
    // wrong types
    badMatchIdText.map((t) => ({ kind: 'bad match_id', text: `{"match_id":${t}}` })),
    fc.constantFrom('[]', '"x"', '5', 'true', '[1,2]', '{"a":"1"}', '{"a":[1]}').map((t) => ({ kind: 'bad features', text: `{"match_id":3,"features":${t}}` })),
    fc.tuple(someName, badFeatureValueText).map(([n, v]) => ({ kind: 'bad feature value', text: withFeatureValue(n, v) })),
    fc.constantFrom('null', '[]', '[{"match_id":1}]', '"{\\"match_id\\":1}"', '5', 'true', 'false', '0', '{}', '{"features":{}}').map((t) => ({ kind: 'not a request', text: t })),
    // unknown fields, odd and unicode keys
    fc.tuple(positiveId, anyString.filter((k) => k !== 'match_id' && k !== 'features'), fc.jsonValue({ maxDepth: 2 })).map(([id, k, v]) => ({
      kind: 'unknown field',
      text: `{"match_id":${id},${JSON.stringify(k)}:${JSON.stringify(v)}}`,
    })),
    fc.constantFrom('match_іd', 'MATCH_ID', 'match_id ', ' match_id', 'match\u0000id', 'matchId', 'match_id\u200b', 'ｍatch_id').map((k) => ({ kind: 'lookalike key', text: `{${JSON.stringify(k)}:5}` })),
    fc.dictionary(anyString, fc.option(finite, { nil: null }), { minKeys: 1, maxKeys: 8 }).map((f) => ({ kind: 'odd feature names', text: JSON.stringify({ match_id: 9, features: f }) })),
    fc.subarray([...names], { minLength: 0, maxLength: Math.max(0, names.length - 1) }).map((sub) => ({
      kind: 'missing features',
      text: JSON.stringify({ match_id: 9, features: Object.fromEntries(sub.map((n) => [n, 1])) }),
    })),
    // prototype keys, plain and escaped
    fc.constantFrom(
      '{"match_id":1,"__proto__":{"admin":true}}', '{"__proto__":{"match_id":1}}', '{"match_id":1,"\\u005f_proto__":{"x":1}}', '{"match_id":1,"\\u005f\\u005fproto\\u005f\\u005f":{}}',
      '{"match_id":1,"constructor":{"prototype":{"x":1}}}', '{"match_id":1,"constructor":{"\\u0070rototype":{"x":1}}}', '{"match_id":1,"constructor":1}', '{"match_id":1,"prototype":{}}',
      '{"match_id":1,"features":{"__proto__":1}}', '{"match_id":1,"features":{"constructor":1}}', '{"match_id":1,"features":{"constructor":{"prototype":1}}}',
      '{"match_id":1,"features":{"prototype":1}}', '{"match_id":1,"features":{"toString":1}}', '{"match_id":1,"features":{"hasOwnProperty":1,"valueOf":null}}',
      '{"match_id":1,"x":{"y":{"__proto__":{"z":1}}}}', '{"match_id":1,"x":[{"constructor":{"prototype":{}}}]}',
    ).map((t) => ({ kind: 'prototype key', text: t })),
    // duplicate keys: the last one wins, and it is always bad
    fc.tuple(positiveId, badMatchIdText).map(([id, bad]) => ({ kind: 'duplicate key', text: `{"match_id":${id},"match_id":${bad}}` })),
    fc.constantFrom('"x"', '[]', '{"a":1}', '5').map((bad) => ({ kind: 'duplicate features', text: `{"match_id":5,"features":${JSON.stringify(allNamesZero())},"features":${bad}}` })),
    // NaN and Infinity that JSON can spell
    fc.constantFrom('1e309', '-1e309', '"NaN"', '"Infinity"').chain((v) => someName.map((n) => ({ kind: 'non-finite feature', text: withFeatureValue(n, v) }))),
    // deep nesting, anywhere
    fc.tuple(fc.integer({ min: 9, max: 7000 }), fc.constantFrom('array', 'object'), fc.constantFrom('extra', 'features', 'match_id', 'top')).map(([depth, shape, where]) => {
      const d = shape === 'object' ? Math.min(depth, 3000) : depth;
      const nested = shape === 'array' ? `${'['.repeat(d)}1${']'.repeat(d)}` : `${'{"a":'.repeat(d)}1${'}'.repeat(d)}`;
      const text = where === 'top' ? nested : where === 'extra' ? `{"match_id":1,"x":${nested}}` : where === 'features' ? `{"match_id":1,"features":${nested}}` : `{"match_id":${nested}}`;
      return { kind: `nested ${d} ${shape} in ${where}`, text };
    }),
  );
}

/** Every kind of invalid body text. */
export function invalidBody(names: readonly string[], maxBodyBytes: number): fc.Arbitrary<BodyCase> {
  return fc.oneof(
    { weight: 3, arbitrary: malformedJsonText.map((text) => ({ kind: 'malformed JSON', text })) },
    { weight: 6, arbitrary: invalidJsonBodies(names) },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.integer({ min: maxBodyBytes + 1, max: maxBodyBytes * 8 }), fc.constantFrom('pad', 'spaces', 'features')).map(([size, how]) => {
        // Valid requests but for their size: 413, never accepted.
        const head = '{"match_id":5';
        const text =
          how === 'spaces' ? `${head}${' '.repeat(size - head.length - 1)}}` : how === 'pad' ? `${head},"pad":"${'x'.repeat(size)}"}` : `${head},"features":{"a":${'1'.repeat(size)}}}`;
        return { kind: `oversized ${how}`, text };
      }),
    },
  );
}

const JSON_TYPES = [
  'application/json', 'application/json; charset=utf-8', 'Application/JSON', 'application/json;charset=UTF-8', 'application/json ; charset=utf-8',
  'application/json; charset=latin1', 'application/json; charset=utf-16', 'application/json; foo=bar', 'application/json;',
];
const OTHER_TYPES = [
  'text/plain', 'text/json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=xyz', 'application/vnd.api+json', 'application/problem+json',
  'application/xml', '*/*', 'application/*', '', 'application/json, text/plain', 'application/jsonp', 'json', 'application/json\u00ff', 'text/html; charset=utf-8',
];

/** A Content-Type header, or none at all. */
export const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...JSON_TYPES) },
  { weight: 3, arbitrary: fc.constantFrom(...OTHER_TYPES) },
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 60 }).map((s) => s.replace(/[\r\n\0]/g, '')) },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 20_000 }).map((n) => `application/json; x=${'a'.repeat(n)}`) },
);

/**
 * Header text is written as latin1 (one byte per character), so text meant as UTF-8 is turned into its
 * bytes first, and line breaks and NUL (which would end the header or the request) are dropped.
 */
export function utf8AsLatin1(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1').replace(/[\r\n\0]/g, '');
}

/** Idempotency-Key values the gateway must refuse (after the HTTP parser trims blanks at both ends). */
export const badIdempotencyKey: fc.Arbitrary<string[]> = fc.oneof(
  fc.constant<string[]>(['']),
  fc.integer({ min: 201, max: 5000 }).map((n) => ['k'.repeat(n)]),
  fc.tuple(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 20 }), fc.constantFrom(' ', '\t', ' \t '), fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 20 })).map(([a, sep, b]) => [
    `x${a.trim()}${sep}${b.trim()}x`,
  ]),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }).map((s) => [`k\u00e9${utf8AsLatin1(s)}`]),
  fc.constantFrom<string[]>(['a', 'b'], ['key-1', 'key-1']),
  fc.constantFrom<string[]>(['k\u0001'], ['\u007f'], ['k\u00ff'], [utf8AsLatin1('ключ')], [utf8AsLatin1('🔑')]),
);

/** Extra headers: harmless noise, odd names and values, very long or very many headers. */
export const extraHeaders: fc.Arbitrary<[string, string][]> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<[string, string][]>([]) },
  {
    weight: 3,
    arbitrary: fc.array(
      fc.tuple(
        fc.oneof(fc.constantFrom('X-API-Key', 'Accept', 'Accept-Encoding', 'Expect', 'X-Forwarded-For', 'Origin', 'Cookie', 'Authorization', 'Range', 'If-None-Match'), fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,30}$/)),
        fc.string({ unit: 'binary-ascii', maxLength: 100 }).map((v) => v.replace(/[\r\n\0]/g, '')),
      ),
      { maxLength: 6 },
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom<[string, string][]>([['Expect', '100-continue']], [['Accept', '*/*; q=0.1, application/json']], [['Accept-Encoding', 'gzip, br']]) },
  { weight: 1, arbitrary: fc.integer({ min: 4000, max: 40_000 }).map((n): [string, string][] => [['X-Long', 'v'.repeat(n)]]) },
  { weight: 1, arbitrary: fc.integer({ min: 50, max: 2500 }).map((n): [string, string][] => Array.from({ length: n }, (_, i): [string, string] => [`X-H${i}`, 'v'])) },
  { weight: 1, arbitrary: fc.constantFrom<[string, string][]>([['Bad Header', 'x']], [['X-Ctl', 'a\u0001b']], [['', 'x']], [['X-Uni', utf8AsLatin1('ä✓')]], [['(x)', '1']]) },
);

export type Framing = 'content-length' | 'chunked' | 'both' | 'duplicate-length' | 'bad-length' | 'short-length' | 'truncated';
export const framing: fc.Arbitrary<Framing> = fc.oneof(
  { weight: 12, arbitrary: fc.constant<Framing>('content-length') },
  { weight: 2, arbitrary: fc.constant<Framing>('chunked') },
  { weight: 1, arbitrary: fc.constantFrom<Framing>('both', 'duplicate-length', 'bad-length', 'short-length', 'truncated') },
);

/** The framing headers and body bytes for `body` sent as `how`. */
export function frame(body: Buffer, how: Framing): { headers: [string, string][]; body: Buffer } {
  switch (how) {
    case 'content-length':
      return { headers: [['Content-Length', String(body.length)]], body };
    case 'chunked': {
      const parts: Buffer[] = [];
      for (let at = 0; at < body.length; at += 4096) {
        const chunk = body.subarray(at, at + 4096);
        parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n'));
      }
      parts.push(Buffer.from('0\r\n\r\n'));
      return { headers: [['Transfer-Encoding', 'chunked']], body: Buffer.concat(parts) };
    }
    case 'both':
      return { headers: [['Content-Length', String(body.length)], ['Transfer-Encoding', 'chunked']], body };
    case 'duplicate-length':
      return { headers: [['Content-Length', String(body.length)], ['Content-Length', String(body.length + 1)]], body };
    case 'bad-length':
      return { headers: [['Content-Length', `-${body.length}`]], body };
    case 'short-length':
      return { headers: [['Content-Length', String(Math.max(0, body.length - 1))]], body };
    case 'truncated':
      return { headers: [['Content-Length', String(body.length + 100)]], body };
  }
}

/** Path parameters: unicode, dot segments, percent-encoding right and wrong, very long, NUL, UUID-like. */
export const hostileParam: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => encodeURIComponent(s)),
  fc.string({ unit: 'binary', maxLength: 30 }).map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, ''))),
  fc.constantFrom('..', '.', '%2e%2e', '%2E%2E%2F%2E%2E', '..%2f..%2fmetrics', '%00', '%', '%ZZ', '%C0%AF', '%ff%fe', '%u0041', '%%', ';', '%3B', '@', '~', 'async', 'matches', 'model', 'info'),
  fc.constantFrom('0', '-1', '1.5', '1e3', '007', '9007199254740992', '99999999999999999999', ' 1', '1%20', '0x1F', 'NaN', 'Infinity'),
  fc.integer({ min: 1, max: MAX_SAFE }).map(String),
  fc.uuid().map((u) => (u.length % 2 ? u.toUpperCase() : u)),
  fc.integer({ min: 100, max: 12_000 }).map((n) => 'a'.repeat(n)),
  fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 30 }).map((s) => s.replace(/[\s?#]/g, '')),
);

export const hostileQuery: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.constantFrom('?', '?__proto__[x]=1', '?constructor[prototype][x]=1', '?a=1&a=2', '?%', '?a=%ZZ', '?x=' + 'q'.repeat(5000), '?match_id=1&features=x') },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => `?q=${encodeURIComponent(s)}`) },
);

/** Every route of the gateway, with `{}` where a path parameter goes. */
export const ROUTES = [
  '/predict/', '/predict/async/', '/monitoring/task_status/{}', '/predict/{}', '/predict/matches/', '/predict/model/info', '/metrics', '/health/live', '/health/ready',
  '/predict', '/predict/async', '/monitoring/task_status/', '/monitoring/', '/', '/predict/{}/{}', '/predict/model/{}', '/health/{}', '/metrics/{}', '/%70redict/matches',
] as const;

export const METHODS = ['GET', 'HEAD', 'DELETE', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'TRACE', 'PROPFIND', 'get'] as const;
