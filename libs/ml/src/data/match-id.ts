const FNV64_OFFSET = 0xcbf29ce484222325n;
const FNV64_PRIME = 0x100000001b3n;
const MASK64 = (1n << 64n) - 1n;
/** 2^45 - 1: ids land in [1, 2^45), well inside Number.MAX_SAFE_INTEGER and JSON-safe. */
const ID_SPACE = (1n << 45n) - 1n;

const encoder = new TextEncoder();

/**
 * Stable match id: 64-bit FNV-1a over the UTF-8 bytes of `${division}|${date}|${homeTeam}|${awayTeam}`,
 * then `(hash mod (2^45 - 1)) + 1`. `date` is ISO `YYYY-MM-DD`. Other languages can reproduce it exactly.
 */
export function matchIdOf(division: string, date: string, homeTeam: string, awayTeam: string): number {
  let hash = FNV64_OFFSET;
  for (const byte of encoder.encode(`${division}|${date}|${homeTeam}|${awayTeam}`)) {
    hash = ((hash ^ BigInt(byte)) * FNV64_PRIME) & MASK64;
  }
  return Number(hash % ID_SPACE) + 1;
}
