import { createHash } from 'node:crypto';
import type { PredictRequestDto } from '@app/contracts';

/**
 * The key under which `results` remembers a submission. A client's `Idempotency-Key` header wins;
 * otherwise the request itself is the key (same match and same features, in any key order).
 *
 * The request is hashed as its sorted feature names (as JSON, so no name can run into the next) and their
 * values as raw float64 bytes, nulls listed by position: the same identity as hashing the canonical JSON, at
 * about a quarter of the CPU (formatting 28 doubles as decimal text was most of the cost of a submit's key).
 */
export function idempotencyKeyOf(request: PredictRequestDto, header: string | undefined): string {
  if (header !== undefined) return `client:${createHash('sha256').update(header).digest('hex')}`;
  const hash = createHash('sha256');
  const features = request.features;
  if (!features) return `request:${hash.update(`${request.match_id}|none`).digest('hex')}`;
  const names = sortedNames(features);
  const values = new Float64Array(names.length);
  let nulls = '';
  for (let i = 0; i < names.length; i += 1) {
    const value = features[names[i]!];
    if (value === null || value === undefined) nulls += `${i},`;
    // -0 and 0 are one value (as in JSON); their float64 bytes are not.
    else values[i] = value === 0 ? 0 : value;
  }
  hash.update(`${request.match_id}|${names.json}|${nulls}|`);
  hash.update(new Uint8Array(values.buffer));
  return `request:${hash.digest('hex')}`;
}

/** Sorted names with their JSON; clients send the same names in the same order, so the last sort is reused. */
type SortedNames = string[] & { json: string };
let lastSorted: { insertionOrder: string[]; names: SortedNames } | undefined;

function sortedNames(features: Record<string, unknown>): SortedNames {
  const keys = Object.keys(features);
  if (lastSorted && sameNames(lastSorted.insertionOrder, keys)) return lastSorted.names;
  const names = [...keys].sort() as SortedNames;
  names.json = JSON.stringify(names);
  lastSorted = { insertionOrder: keys, names };
  return names;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}
