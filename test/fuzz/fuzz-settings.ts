/**
 * Seed and size of the fuzz runs. The seed is printed by every suite; rerun a failure with the same
 * `FUZZ_SEED` (fast-check also prints the seed and the path of the shrunk counterexample).
 * `FUZZ_SCALE` multiplies every property's number of runs (default 1: the bounded run `npm test` does).
 */
export const FUZZ_SEED = Number.parseInt(process.env.FUZZ_SEED ?? '', 10) || (Date.now() % 2_147_483_647);
export const FUZZ_SCALE = Math.max(0.01, Number(process.env.FUZZ_SCALE ?? '1') || 1);

export function runs(base: number): number {
  return Math.max(1, Math.round(base * FUZZ_SCALE));
}

/** fast-check parameters of one property: its own seed (derived from the run's) and size, errors reported. */
export function fuzzOptions(seedOffset: number, baseRuns: number): { seed: number; numRuns: number; includeErrorInReport: true } {
  return { seed: FUZZ_SEED + seedOffset, numRuns: runs(baseRuns), includeErrorInReport: true };
}

/** Sum of every sample of a Prometheus metric whose labels contain all of `labels` (e.g. `to="pending"`). */
export async function metricSum(baseUrl: string, name: string, ...labels: string[]): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!labels.every((l) => line.includes(l))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
