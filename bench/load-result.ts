// What one load run measured, and how runs made in blocks are merged. Shared by the load generator (which
// computes it) and run-bench (which merges alternating blocks); kept apart because load-gen.ts runs on import.

export interface LoadResult {
  done: number;
  ok: number;
  statuses: Record<string, number>;
  elapsedMs: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** CPU seconds the load generator itself used (user + system, warm-up included). */
  cpuSeconds?: number;
  /** Every latency, sorted (ms), when the spec asked for them. */
  latenciesMs?: number[];
  /** End-to-end loads: status requests made in all (polls, or long-polls), to divide by `done`. */
  statusRequests?: number;
  /** End-to-end loads: every submit's latency (submit → 202), sorted (ms), when the spec asked for latencies. */
  submitLatenciesMs?: number[];
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function summarize(latencies: number[], statuses: Record<string, number>, ok: number, elapsedMs: number): LoadResult {
  latencies.sort((a, b) => a - b);
  return {
    done: latencies.length,
    ok,
    statuses,
    elapsedMs,
    perSecond: (latencies.length * 1000) / elapsedMs,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies[latencies.length - 1] ?? Number.NaN,
    latenciesMs: latencies,
  };
}

/** Several loads of one kind run one after another, as one: counts and times added, percentiles over every latency. */
export function mergeLoads(parts: readonly LoadResult[]): LoadResult {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let ok = 0;
  let elapsedMs = 0;
  let cpuSeconds = 0;
  let statusRequests: number | undefined;
  let submits: number[] | undefined;
  for (const part of parts) {
    if (part.statusRequests !== undefined) statusRequests = (statusRequests ?? 0) + part.statusRequests;
    if (part.submitLatenciesMs) (submits ??= []).push(...part.submitLatenciesMs);
    if (!part.latenciesMs) throw new Error('mergeLoads needs the latencies of every part (keepLatencies)');
    latencies.push(...part.latenciesMs);
    for (const [status, n] of Object.entries(part.statuses)) statuses[status] = (statuses[status] ?? 0) + n;
    ok += part.ok;
    elapsedMs += part.elapsedMs;
    cpuSeconds += part.cpuSeconds ?? 0;
  }
  return {
    ...summarize(latencies, statuses, ok, elapsedMs),
    cpuSeconds,
    ...(statusRequests === undefined ? {} : { statusRequests }),
    ...(submits === undefined ? {} : { submitLatenciesMs: submits.sort((a, b) => a - b) }),
  };
}
