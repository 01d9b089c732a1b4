// `npm run bench` (issue 5): starts the suite (three apps from this build, own prefix), drives it from a
// separate load-generator process over 127.0.0.1, and prints each figure beside a reference measured in the
// same run. Sizes are overridable by env (see `config`). Cleans its queues and keys at the end.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { buildTopology } from '@app/messaging';
import { AppProcess, deleteRedisKeys, deleteTopology, queueStats, TEST_AMQP_URL, testPort, uniquePrefix, waitFor } from '@app/testing';
import { startChild, stopChild } from './bench-child.js';
import { brokerCpuPerMessage, type QueueKind } from './broker-message-cost.js';
import { CpuMeter, pidOf } from './cpu-meter.js';
import { startDurableRedis, type DurableRedis } from './durable-redis.js';
import type { LoadSpec } from './load-gen.js';
import { mergeLoads, percentile, type LoadResult } from './load-result.js';

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number`);
  return n;
}

const config = {
  /** Row 1: tasks published to `ml` before one predictor starts, per batching setting. */
  drainTasks: envInt('BENCH_DRAIN_TASKS', 40_000),
  /**
   * Row 1: tasks each drain scores before its timing starts. A fresh predictor (JIT, wasm kernels) took about
   * half a second to reach its steady rate in a profile, while a 20,000-task drain with batching on lasted
   * about 1.2 s: timed from readiness, the row measured the warm-up as much as the rate under load.
   */
  drainWarmup: envInt('BENCH_DRAIN_WARMUP', 5_000),
  /** Row 1's batching-on side: the predictor's default `BATCH_WINDOW_MS` (apps/predictor/src/predictor.config.ts). */
  batchWindowMs: envInt('BENCH_BATCH_WINDOW_MS', 8),
  /** Row 3: async backlog queued ahead of the sync requests. */
  backlog: envInt('BENCH_BACKLOG', 10_000),
  concurrency: envInt('BENCH_CONCURRENCY', 64),
  syncC1Count: envInt('BENCH_SYNC_C1_COUNT', 1_000),
  syncCnCount: envInt('BENCH_SYNC_CN_COUNT', 10_000),
  asyncCount: envInt('BENCH_ASYNC_COUNT', 5_000),
  publishCount: envInt('BENCH_PUBLISH_COUNT', 20_000),
  /** Row 5: tasks submitted and polled to `success`, suite and BullMQ peer, per side and mode (0 skips the row). */
  e2eCount: envInt('BENCH_E2E_COUNT', 6_000),
  /** Row 5: unmeasured tasks each side runs first, per mode (the JITs, pools and scripts warm up). */
  e2eWarmup: envInt('BENCH_E2E_WARMUP', 3_000),
  pollMs: envInt('BENCH_POLL_MS', 20),
  /** Row 6: messages per second through each scratch queue, paced (0 skips the row). */
  brokerMessageRate: envInt('BENCH_BROKER_MSG_RATE', 200),
  /**
   * Row 5: each mode also beside the BullMQ peer on a private Redis that fsyncs every write (needs `redis-server`
   * on the PATH; 0 skips it).
   */
  e2eDurablePeer: envInt('BENCH_E2E_DURABLE_PEER', 1),
  /** Row 5's ways of waiting for the result: `poll` (every pollMs), `long` (?wait_ms=), or both. */
  e2eModes: (process.env.BENCH_E2E_MODES ?? 'poll,long').split(','),
  /** Upper bound of every load phase (ms). */
  phaseMaxMs: envInt('BENCH_PHASE_MAX_MS', 60_000),
  /** Row 1 drains this many times with batching on and as many with it off, alternating (A B B A ...). */
  drainRounds: envInt('BENCH_DRAIN_ROUNDS', 2),
  /** Row 2 runs the suite and the raw reference in this many alternating blocks each. */
  blocks: envInt('BENCH_BLOCKS', 4),
};

const here = fileURLToPath(new URL('.', import.meta.url));
const prefix = uniquePrefix('bench');
const topologyOptions = { prefix, retryDelaysMs: [2000, 4000] };
const topology = buildTopology(topologyOptions);
const rawQueue = `${prefix}raw.rpc`;
const scratchQueue = `${prefix}scratch.quorum`;
/** Row 6's own scratch queues (row 4 leaves its published messages in `scratchQueue`). */
const costDurableQueue = `${prefix}cost.quorum`;
const costTransientQueue = `${prefix}cost.classic`;
const common = { QUEUE_PREFIX: prefix, REDIS_KEY_PREFIX: prefix, LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '0' };

interface Row {
  what: string;
  suite: string;
  reference: string;
  refLabel: string;
  ratio: string;
}
const rows: Row[] = [];
const notes: string[] = [];

const fmt = (n: number, digits = 0): string => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a');
const ratio = (a: number, b: number): string => (Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? `${fmt(a / b, 2)}×` : 'n/a');
const log = (msg: string): void => void process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---- metrics scraping ---------------------------------------------------------------------------------

async function scrape(app: AppProcess): Promise<string> {
  const res = await fetch(`${app.baseUrl}/metrics`);
  return res.text();
}

/** Sum of every sample of `name` (all label sets). */
function metricSum(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) {
      const value = Number(line.slice(line.lastIndexOf(' ') + 1));
      if (Number.isFinite(value)) sum += value;
    }
  }
  return sum;
}

const rss = new Map<string, { idle: number; peak: number }>();
async function sampleRss(apps: AppProcess[], phase: 'idle' | 'load'): Promise<void> {
  await Promise.all(
    apps
      .filter((a) => a.isRunning())
      .map(async (a) => {
        const bytes = metricSum(await scrape(a).catch(() => ''), 'process_resident_memory_bytes');
        if (!bytes) return;
        const entry = rss.get(a.app) ?? { idle: Number.NaN, peak: 0 };
        if (phase === 'idle' && !Number.isFinite(entry.idle)) entry.idle = bytes;
        entry.peak = Math.max(entry.peak, bytes);
        rss.set(a.app, entry);
      }),
  );
}

// ---- child processes ----------------------------------------------------------------------------------

/**
 * Runs the load generator in its own process and samples the apps' RSS while it runs. `exitedAt` is when the
 * process ended (`performance.now()` here): its measured requests ran in the `elapsedMs` just before.
 */
async function runLoad(spec: LoadSpec, watch: AppProcess[] = []): Promise<LoadResult & { exitedAt: number }> {
  const child = spawn(process.execPath, [`${here}load-gen.js`, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  let running = true;
  const sampler = (async () => {
    while (running) {
      await sampleRss(watch, 'load');
      await sleep(500);
    }
  })();
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const exitedAt = performance.now();
  running = false;
  await sampler;
  if (code !== 0) throw new Error(`load-gen exited ${code}: ${err}`);
  return { ...(JSON.parse(out.trim().split('\n').pop() ?? '{}') as LoadResult), exitedAt };
}

/**
 * The same load on the suite and on its reference, in alternating blocks (suite, reference, suite, ...), each
 * side's blocks merged (every latency kept). On a shared machine a burst of outside load then falls on both
 * sides alike, instead of on whichever happened to run at that moment.
 */
async function alternating(suite: Extract<LoadSpec, { kind: 'http' }>, reference: Extract<LoadSpec, { kind: 'http' }>, watch: AppProcess[]): Promise<[LoadResult, LoadResult]> {
  const parts: [LoadResult[], LoadResult[]] = [[], []];
  for (let block = 0; block < config.blocks; block += 1) {
    // The first block warms up as a single run would; later ones only reopen their sockets.
    const block_ = (spec: Extract<LoadSpec, { kind: 'http' }>): LoadSpec => ({ ...spec, count: Math.ceil(spec.count / config.blocks), keepLatencies: true, warmup: block === 0 ? spec.warmup : 20 });
    parts[0].push(await runLoad(block_(suite), watch));
    parts[1].push(await runLoad(block_(reference)));
  }
  return [mergeLoads(parts[0]), mergeLoads(parts[1])];
}

/** How long a bench-owned node script may take to serve (the model loads first: about 2 s here). */
const NODE_READY_TIMEOUT_MS = 60_000;

/** A bench-owned node script (the raw references, the BullMQ peer) that prints `ready` once it serves. */
function startNode(script: string, env: Record<string, string>): Promise<ChildProcess> {
  return startChild(process.execPath, [`${here}${script}`], { env: { ...process.env, ...env }, readyText: 'ready', timeoutMs: NODE_READY_TIMEOUT_MS });
}

/** Row 5's BullMQ peer: its worker, then its HTTP server, both on the Redis at `env.REDIS_URL`. */
async function startPeer(env: { REDIS_URL: string; PEER_PREFIX: string; PEER_PORT: string }): Promise<{ worker: ChildProcess; server: ChildProcess }> {
  const worker = await startNode('peers/bullmq-worker.js', env);
  const server = await startNode('peers/bullmq-server.js', env);
  return { worker, server };
}

// ---- broker helpers -----------------------------------------------------------------------------------

async function publishTasks(count: number, features: Record<string, number>): Promise<void> {
  const connection = await amqp.connect(TEST_AMQP_URL, { noDelay: true });
  try {
    const channel = await connection.createConfirmChannel();
    for (let i = 0; i < count; i += 1) {
      const data = { task_id: randomUUID(), match_id: i + 1, features };
      channel.sendToQueue(topology.queues.work, Buffer.from(JSON.stringify({ pattern: 'prediction.task.v1', data })), { persistent: true });
      if (i % 1000 === 999) await channel.waitForConfirms();
    }
    await channel.waitForConfirms();
  } finally {
    await connection.close();
  }
}

/**
 * Keeps at least `target` tasks ready in the work queue until stopped: every 50 ms it reads the depth (AMQP
 * passive declare, exact for ready messages, unlike `rabbitmqctl`'s periodically refreshed stats) and tops
 * the queue up. Reports every depth it read, and when, so the row can say the backlog really was there while
 * the sync requests were measured.
 */
async function keepQueued(target: number, features: Record<string, number>): Promise<{ stop: () => Promise<{ depths: DepthCheck[]; published: number }> }> {
  const connection = await amqp.connect(TEST_AMQP_URL, { noDelay: true });
  const channel = await connection.createConfirmChannel();
  let running = true;
  const depths: DepthCheck[] = [];
  let published = 0;
  const loop = (async () => {
    while (running) {
      const depth = (await channel.checkQueue(topology.queues.work)).messageCount;
      depths.push({ at: performance.now(), depth, added: Math.max(0, target - depth) });
      for (let i = depth; i < target; i += 1) {
        const data = { task_id: randomUUID(), match_id: i + 1, features };
        channel.sendToQueue(topology.queues.work, Buffer.from(JSON.stringify({ pattern: 'prediction.task.v1', data })), { persistent: true });
        published += 1;
      }
      await channel.waitForConfirms();
      await sleep(50);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      await connection.close();
      return { depths, published };
    },
  };
}

/** One read of the work queue's ready depth, at `performance.now()` time `at`, and how many tasks were then added. */
interface DepthCheck {
  at: number;
  depth: number;
  added: number;
}

/** Tasks taken from the queue between the first and the last of `checks` (consecutive ones), per second. */
function drainRate(checks: readonly DepthCheck[]): { tasks: number; seconds: number } {
  let tasks = 0;
  for (let i = 1; i < checks.length; i += 1) tasks += checks[i - 1]!.depth + checks[i - 1]!.added - checks[i]!.depth;
  const seconds = checks.length > 1 ? (checks[checks.length - 1]!.at - checks[0]!.at) / 1000 : 0;
  return { tasks, seconds };
}

async function purge(queue: string): Promise<void> {
  const connection = await amqp.connect(TEST_AMQP_URL);
  try {
    const channel = await connection.createChannel();
    await channel.purgeQueue(queue);
  } finally {
    await connection.close();
  }
}

async function deleteQueues(names: string[]): Promise<void> {
  const connection = await amqp.connect(TEST_AMQP_URL);
  try {
    for (const name of names) {
      const channel = await connection.createChannel();
      await channel.deleteQueue(name).catch(() => undefined);
      await channel.close().catch(() => undefined);
    }
  } finally {
    await connection.close();
  }
}

// ---- the phases ---------------------------------------------------------------------------------------

interface DrainResult {
  /** CPU seconds by process over the timed drain. */
  cpuSeconds: Record<string, number>;
  perSecond: number;
  meanBatch: number;
  processed: number;
  seconds: number;
}

/** Drains of one setting as one: tasks and seconds added (so predictions/s is their pooled rate), batch sizes weighted by tasks. */
function mergeDrains(parts: readonly DrainResult[]): DrainResult {
  const processed = parts.reduce((sum, p) => sum + p.processed, 0);
  const seconds = parts.reduce((sum, p) => sum + p.seconds, 0);
  const cpuSeconds: Record<string, number> = {};
  for (const part of parts) for (const [name, s] of Object.entries(part.cpuSeconds)) cpuSeconds[name] = (cpuSeconds[name] ?? 0) + s;
  const meanBatch = parts.reduce((sum, p) => sum + p.meanBatch * p.processed, 0) / Math.max(1, processed);
  return { perSecond: processed / seconds, meanBatch, processed, seconds, cpuSeconds };
}

function cpuPerTaskText(drain: DrainResult): string {
  return Object.entries(drain.cpuSeconds)
    .map(([name, s]) => `${name} ${fmt((s * 1e6) / Math.max(1, drain.processed), 0)}`)
    .join(', ');
}

/** Row 1's untimed tasks: the configured warm-up, at most a quarter of the drain. */
function drainWarmup(): number {
  return Math.min(config.drainWarmup, Math.floor(config.drainTasks / 4));
}

/** Row 1: N tasks wait in `ml`; one predictor starts; predictions/s from the warm-up's end until the queue is drained. */
async function drain(windowMs: number, features: Record<string, number>, apps: AppProcess[]): Promise<DrainResult> {
  await publishTasks(config.drainTasks, features);
  const predictor = new AppProcess('predictor', testPort(), { ...common, BATCH_WINDOW_MS: String(windowMs) });
  try {
    await predictor.start();
    const started = performance.now();
    const tooLong = (processed: number): void => {
      if (performance.now() - started > config.phaseMaxMs * 3) throw new Error(`drain with BATCH_WINDOW_MS=${windowMs} took too long (${processed}/${config.drainTasks})`);
    };
    // Timing starts once the warm-up tasks are scored (the few scored past them are subtracted).
    let base = 0;
    while (base < drainWarmup()) {
      tooLong(base);
      await sleep(10);
      base = metricSum(await scrape(predictor), 'predictor_tasks_processed_total');
    }
    const t0 = performance.now();
    const meter = new CpuMeter({ predictor: predictor.pid, ...Object.fromEntries(apps.map((a) => [a.app, a.pid])), RabbitMQ: pidOf('beam.smp'), Redis: pidOf('redis-server') }).start();
    let processed = base;
    let lastRss = 0;
    while (processed < config.drainTasks) {
      tooLong(processed);
      await sleep(25);
      processed = metricSum(await scrape(predictor), 'predictor_tasks_processed_total');
      if (performance.now() - lastRss > 500) {
        lastRss = performance.now();
        await sampleRss([predictor, ...apps], 'load');
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    const spent = meter.stop();
    const left = await waitFor(
      async () => {
        const s = await queueStats(topology.queues.work);
        return s.ready + s.unacked === 0 ? s : undefined;
      },
      30_000,
      'the work queue to be empty',
      200,
    );
    void left;
    const text = await scrape(predictor);
    const meanBatch = metricSum(text, 'inference_batch_size_sum') / metricSum(text, 'inference_batch_size_count');
    return { perSecond: (processed - base) / seconds, meanBatch, processed: processed - base, seconds, cpuSeconds: spent };
  } finally {
    await predictor.stop();
  }
}

/** Publishes what the work queue lacks of `target` ready tasks (read by a passive declare: exact for ready messages). */
async function topUp(target: number, features: Record<string, number>): Promise<void> {
  const connection = await amqp.connect(TEST_AMQP_URL);
  let depth: number;
  try {
    depth = (await (await connection.createChannel()).checkQueue(topology.queues.work)).messageCount;
  } finally {
    await connection.close();
  }
  if (depth < target) await publishTasks(target - depth, features);
}

/** Waits until neither the work queue nor the outcome queue holds anything: the async pipeline is idle. */
async function asyncPipelineIdle(): Promise<void> {
  for (const queue of [topology.queues.work, topology.queues.events]) {
    await waitFor(
      async () => {
        const s = await queueStats(queue);
        return s.ready + s.unacked === 0 ? true : undefined;
      },
      120_000,
      `${queue} to be empty`,
      100,
    );
  }
}

/**
 * Row 3: the same sync load with a backlog of `config.backlog` async tasks (kept topped up while it runs) and
 * without one, in alternating blocks (A B B A ...), each side's blocks merged. Between blocks the backlog is
 * purged and the pipeline left to go idle, so "no backlog" means no async work at all; a burst of outside load
 * then falls on both sides alike instead of on one.
 */
async function backlogBlocks(
  spec: Extract<LoadSpec, { kind: 'http' }>,
  features: Record<string, number>,
  watch: AppProcess[],
): Promise<[LoadResult, LoadResult, { minDepth: number; published: number; asyncPerSecond: number }]> {
  const withBacklog: LoadResult[] = [];
  const without: LoadResult[] = [];
  let minDepth = Number.POSITIVE_INFINITY;
  let published = 0;
  let drainedTasks = 0;
  let drainedSeconds = 0;
  // Every block warms up in full: a backlog block starts while async work runs flat out (no sync traffic to
  // pace it), and what is measured is the steady state once sync traffic has been going on.
  const block = (): LoadSpec => ({ ...spec, count: Math.ceil(spec.count / config.blocks), keepLatencies: true });
  for (let index = 0; index < config.blocks; index += 1) {
    for (const backlog of index % 2 === 0 ? [false, true] : [true, false]) {
      if (!backlog) {
        without.push(await runLoad(block(), watch));
        continue;
      }
      await topUp(config.backlog, features);
      const keeper = await keepQueued(config.backlog, features);
      const result = await runLoad(block(), watch);
      withBacklog.push(result);
      // Only the checks made while the measured requests ran (after the warm-up, before the load ended): outside
      // them there is no sync traffic to pace async work, and it drains faster than the queue is topped up.
      const kept = await keeper.stop();
      const measured = kept.depths.filter((check) => check.at >= result.exitedAt - result.elapsedMs && check.at <= result.exitedAt);
      for (const check of measured) minDepth = Math.min(minDepth, check.depth);
      const drained = drainRate(measured);
      drainedTasks += drained.tasks;
      drainedSeconds += drained.seconds;
      published += kept.published;
      await purge(topology.queues.work);
      await asyncPipelineIdle();
    }
  }
  return [mergeLoads(withBacklog), mergeLoads(without), { minDepth, published, asyncPerSecond: drainedTasks / drainedSeconds }];
}

function syncSpec(url: string, features: Record<string, number>, concurrency: number, count: number): Extract<LoadSpec, { kind: 'http' }> {
  return { kind: 'http', url, bodies: 'same', features, concurrency, count, maxMs: config.phaseMaxMs };
}

/** "gateway 0.41 + predictor 0.30 + … = 1.52": CPU ms per completed task by process, the load generator last. */
function cpuPerTask(spent: Record<string, number>, r: LoadResult): string {
  const parts = Object.entries({ ...spent, 'load generator': r.cpuSeconds ?? Number.NaN }).filter(([, s]) => Number.isFinite(s));
  const perTask = (s: number): number => (s * 1000) / Math.max(1, r.done);
  const total = parts.reduce((sum, [, s]) => sum + perTask(s), 0);
  return `${parts.map(([name, s]) => `${name} ${fmt(perTask(s), 2)}`).join(' + ')} = ${fmt(total, 2)}`;
}

/** Status requests each completed task took (polls, or long-polls): longer tasks take more polls. */
function statusRequestsPerTask(r: LoadResult): string {
  return r.statusRequests === undefined ? '-' : fmt(r.statusRequests / Math.max(1, r.done), 2);
}

/** The submits' share of the end-to-end time: p50 / p99 of submit → 202. */
function submitLatencyText(r: LoadResult): string {
  const sorted = r.submitLatenciesMs;
  return sorted && sorted.length > 0 ? `${fmt(percentile(sorted, 50), 1)} / ${fmt(percentile(sorted, 99), 1)}` : '-';
}

interface E2eSide {
  url: string;
  watch: AppProcess[];
  pids: Record<string, number | undefined>;
}

/**
 * Row 5's measured blocks: half the tasks per side in each of two blocks, in the order suite, peer, peer, suite,
 * so that a drift of the machine over the row falls on both sides alike. CPU is metered over each block only.
 */
async function e2eBlocks(
  sides: { suite: E2eSide; peer: E2eSide },
  spec: (url: string, count: number) => LoadSpec,
): Promise<Record<'suite' | 'peer', { load: LoadResult; cpu: Record<string, number> }>> {
  const parts = { suite: [] as LoadResult[], peer: [] as LoadResult[] };
  const cpu = { suite: {} as Record<string, number>, peer: {} as Record<string, number> };
  const count = Math.ceil(config.e2eCount / 2);
  for (const name of ['suite', 'peer', 'peer', 'suite'] as const) {
    const side = sides[name];
    const meter = new CpuMeter(side.pids).start();
    parts[name].push(await runLoad(spec(side.url, count), side.watch));
    for (const [process, seconds] of Object.entries(meter.stop())) cpu[name][process] = (cpu[name][process] ?? 0) + seconds;
  }
  return { suite: { load: mergeLoads(parts.suite), cpu: cpu.suite }, peer: { load: mergeLoads(parts.peer), cpu: cpu.peer } };
}

function checkOk(label: string, r: LoadResult): void {
  if (r.ok !== r.done) notes.push(`${label}: ${r.done - r.ok} of ${r.done} requests were not 2xx (${JSON.stringify(r.statuses)}).`);
}

async function main(): Promise<void> {
  const results = new AppProcess('results', testPort(), common);
  const gateway = new AppProcess('api-gateway', testPort(), common);
  let predictor: AppProcess | undefined;
  let rawWorker: ChildProcess | undefined;
  let rawServer: ChildProcess | undefined;
  let peerWorker: ChildProcess | undefined;
  let peerServer: ChildProcess | undefined;
  let durableRedis: DurableRedis | undefined;
  const started = Date.now();
  try {
    log(`prefix ${prefix}; config ${JSON.stringify(config)}`);
    await Promise.all([results.start(), gateway.start()]);
    const info = (await (await fetch(`${gateway.baseUrl}/predict/model/info`)).json()) as { features: string[]; backend?: string };
    const features = Object.fromEntries(info.features.map((f, i) => [f, ((i % 7) - 3) / 4]));
    await sampleRss([results, gateway], 'idle');

    // 1. Predictor predictions/s, batching on vs off: with `results` applying the outcomes on the same two cores
    // (the whole pipeline), then with `results` stopped (the predictor's own rate; its outcome messages wait in
    // `results.events` and are applied afterwards).
    if (config.drainTasks > 0) {
      for (const pipeline of [true, false]) {
        const setting = pipeline ? 'with results applying outcomes' : 'results stopped: predictor alone';
        if (!pipeline) await results.stop();
        // Rounds in A B B A order, each side's drains pooled: drift in the machine's load falls on both sides alike.
        const ons: DrainResult[] = [];
        const offs: DrainResult[] = [];
        for (let round = 0; round < config.drainRounds; round += 1) {
          for (const windowMs of round % 2 === 0 ? [config.batchWindowMs, 0] : [0, config.batchWindowMs]) {
            log(`row 1 (${setting}), round ${round + 1}: draining ${config.drainTasks} tasks with BATCH_WINDOW_MS=${windowMs}`);
            const d = await drain(windowMs, features, pipeline ? [results, gateway] : [gateway]);
            log(`  ${fmt(d.perSecond)}/s, mean batch ${fmt(d.meanBatch, 1)}`);
            (windowMs > 0 ? ons : offs).push(d);
          }
        }
        const on = mergeDrains(ons);
        const off = mergeDrains(offs);
        notes.push(
          `Row 1, ${setting}: ${config.drainRounds} drains each way (${ons.map((d) => fmt(d.perSecond)).join(', ')} /s on; ${offs.map((d) => fmt(d.perSecond)).join(', ')} /s off). CPU µs per task — batching on: ${cpuPerTaskText(on)}; off: ${cpuPerTaskText(off)}.`,
        );
        rows.push({
          what: `predictor drains ${fmt(config.drainTasks)} queued async tasks, timed after the first ${fmt(drainWarmup())} (${config.drainRounds} drains each way, pooled), ${setting}, predictions/s (mean inference_batch_size)`,
          suite: `${fmt(on.perSecond)} /s (batch ${fmt(on.meanBatch, 1)}), BATCH_WINDOW_MS=${config.batchWindowMs}`,
          reference: `${fmt(off.perSecond)} /s (batch ${fmt(off.meanBatch, 1)})`,
          refLabel: 'same, BATCH_WINDOW_MS=0',
          ratio: ratio(on.perSecond, off.perSecond),
        });
      }
      await results.start();
      // `results` applies the outcomes that waited while it was stopped.
      await asyncPipelineIdle();
    }

    predictor = new AppProcess('predictor', testPort(), common);
    await predictor.start();
    await sampleRss([predictor], 'idle');
    const live = (await (await fetch(`${gateway.baseUrl}/predict/model/info`)).json()) as { backend?: string | null };
    info.backend = live.backend ?? undefined;
    const apps = [results, gateway, predictor];
    const n = config.concurrency;

    // 2. Sync latency and throughput beside the raw reference.
    log('row 2: starting the raw reference (bare Fastify + amqplib RPC + bare consumer)');
    const rawPort = testPort();
    rawWorker = await startNode('reference/raw-worker.js', { AMQP_URL: TEST_AMQP_URL, RAW_QUEUE: rawQueue });
    rawServer = await startNode('reference/raw-server.js', { AMQP_URL: TEST_AMQP_URL, RAW_QUEUE: rawQueue, RAW_PORT: String(rawPort) });
    log(`row 2: sync POST /predict/, the suite and the raw reference in ${config.blocks} alternating blocks each`);
    const suiteUrl = `${gateway.baseUrl}/predict/`;
    const rawUrl = `http://127.0.0.1:${rawPort}/predict/`;
    const [s1, r1] = await alternating(syncSpec(suiteUrl, features, 1, config.syncC1Count), syncSpec(rawUrl, features, 1, config.syncC1Count), apps);
    const [sN, rN] = await alternating(syncSpec(suiteUrl, features, n, config.syncCnCount), syncSpec(rawUrl, features, n, config.syncCnCount), apps);
    checkOk('suite sync c1', s1);
    checkOk(`suite sync c${n}`, sN);
    checkOk('raw sync c1', r1);
    checkOk(`raw sync c${n}`, rN);
    await stopChild(rawServer);
    await stopChild(rawWorker);
    const ref = 'raw: Fastify + amqplib RPC + bare model consumer';
    rows.push(
      { what: 'sync POST /predict/ p50, concurrency 1 (ms)', suite: fmt(s1.p50Ms, 2), reference: fmt(r1.p50Ms, 2), refLabel: ref, ratio: ratio(s1.p50Ms, r1.p50Ms) },
      { what: 'sync POST /predict/ p99, concurrency 1 (ms)', suite: fmt(s1.p99Ms, 2), reference: fmt(r1.p99Ms, 2), refLabel: ref, ratio: ratio(s1.p99Ms, r1.p99Ms) },
      { what: `sync POST /predict/ p50, concurrency ${n} (ms)`, suite: fmt(sN.p50Ms, 2), reference: fmt(rN.p50Ms, 2), refLabel: ref, ratio: ratio(sN.p50Ms, rN.p50Ms) },
      { what: `sync POST /predict/ p99, concurrency ${n} (ms)`, suite: fmt(sN.p99Ms, 2), reference: fmt(rN.p99Ms, 2), refLabel: ref, ratio: ratio(sN.p99Ms, rN.p99Ms) },
      { what: `sync POST /predict/ requests/s, concurrency ${n}`, suite: fmt(sN.perSecond), reference: fmt(rN.perSecond), refLabel: ref, ratio: ratio(sN.perSecond, rN.perSecond) },
    );

    // 3. Sync p99 while an async backlog is queued (the interactive lane).
    if (config.backlog > 0) {
      log(`row 3: sync c1 with ${config.backlog} async tasks queued, beside no backlog, in ${config.blocks} alternating blocks each`);
      const [b1, quiet, kept] = await backlogBlocks(syncSpec(`${gateway.baseUrl}/predict/`, features, 1, config.syncC1Count), features, [results, gateway, predictor]);
      checkOk('suite sync c1 with backlog', b1);
      checkOk('suite sync c1 without backlog', quiet);
      notes.push(
        `Row 3: the work queue is topped up to ${fmt(config.backlog)} ready tasks every 50 ms; while the ${fmt(b1.done)} measured sync requests with backlog ran it never held fewer than ${fmt(kept.minDepth)} at a check (${fmt(kept.published)} tasks topped up in all, warm-ups included), so the predictor had a backlog to score throughout, on the same 2 cores; it took async tasks from it at ${fmt(kept.asyncPerSecond)}/s meanwhile (paced: ASYNC_SHARE_WHILE_SYNC, ADR 0010). Between blocks the backlog is purged and drained, so the no-backlog blocks (${fmt(quiet.done)} requests) ran on a quiet pipeline; row 2's own c1 p99 was ${fmt(s1.p99Ms, 2)} ms.`,
      );
      const noBacklog = `same, no backlog (alternating blocks)`;
      rows.push(
        { what: `sync p50, concurrency 1, ${fmt(config.backlog)} async tasks queued (ms)`, suite: fmt(b1.p50Ms, 2), reference: fmt(quiet.p50Ms, 2), refLabel: noBacklog, ratio: ratio(b1.p50Ms, quiet.p50Ms) },
        { what: `sync p99, concurrency 1, ${fmt(config.backlog)} async tasks queued (ms)`, suite: fmt(b1.p99Ms, 2), reference: fmt(quiet.p99Ms, 2), refLabel: noBacklog, ratio: ratio(b1.p99Ms, quiet.p99Ms) },
      );
    }

    // 4. Async accepted tasks/s (predictor stopped, so only the accept path is measured) beside raw confirmed publishing.
    if (config.asyncCount > 0) {
      log(`row 4: async POST /predict/async/, ${config.asyncCount} distinct tasks at concurrency ${n} (predictor stopped)`);
      await predictor.stop();
      const a = await runLoad({ kind: 'http', url: `${gateway.baseUrl}/predict/async/`, bodies: 'distinct', features, concurrency: n, count: config.asyncCount, maxMs: config.phaseMaxMs, warmup: 0 }, [results, gateway]);
      checkOk('async accept', a);
      await purge(topology.queues.work);
      log(`row 4: raw confirmed publish, ${config.publishCount} messages, ${n} in flight, to a scratch quorum queue`);
      {
        const connection = await amqp.connect(TEST_AMQP_URL);
        const channel = await connection.createChannel();
        await channel.assertQueue(scratchQueue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
        await connection.close();
      }
      const p = await runLoad({ kind: 'amqp-publish', amqpUrl: TEST_AMQP_URL, queue: scratchQueue, concurrency: n, count: config.publishCount, maxMs: config.phaseMaxMs });
      rows.push(
        { what: `async POST /predict/async/ accepted tasks/s, concurrency ${n}`, suite: fmt(a.perSecond), reference: fmt(p.perSecond), refLabel: `raw confirmed persistent publish to a quorum queue, ${n} in flight`, ratio: ratio(a.perSecond, p.perSecond) },
        { what: `async accept p99 (ms) vs raw confirm p99, ${n} in flight`, suite: fmt(a.p99Ms, 2), reference: fmt(p.p99Ms, 2), refLabel: 'same raw publish', ratio: ratio(a.p99Ms, p.p99Ms) },
      );
    }

    // 5. End-to-end async tasks/s (submit → success) beside a BullMQ peer, polling and long-polling, interleaved.
    if (config.e2eCount > 0) {
      log(`row 5: end-to-end async at concurrency ${n}: polling every ${config.pollMs} ms, then long-polling`);
      // Rows 3 and 4 may have been skipped: a predictor still running from row 2 would otherwise be orphaned.
      await predictor.stop();
      predictor = new AppProcess('predictor', testPort(), common);
      await predictor.start();
      const peerPort = testPort();
      ({ worker: peerWorker, server: peerServer } = await startPeer({ REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', PEER_PREFIX: `${prefix}peer.`, PEER_PORT: String(peerPort) }));
      const servers = { RabbitMQ: pidOf('beam.smp'), Redis: pidOf('redis-server') };
      const suiteSide: E2eSide = { url: gateway.baseUrl, watch: [results, gateway, predictor], pids: { 'api-gateway': gateway.pid, predictor: predictor.pid, results: results.pid, ...servers } };
      const modes = [
        { name: 'poll', label: `polled every ${config.pollMs} ms`, waitMs: undefined },
        { name: 'long', label: 'long-polled (?wait_ms=10000)', waitMs: 10_000 },
      ].filter((m) => config.e2eModes.includes(m.name));
      /** One mode against one peer: warm-ups, the alternating blocks, a tasks/s row, a latency row and a note. */
      const e2eRow = async (mode: (typeof modes)[number], peer: { name: string; label: string; rowSuffix: string; side: E2eSide }): Promise<void> => {
        const spec = (baseUrl: string, count: number): LoadSpec => ({ kind: 'http-e2e', baseUrl, features, concurrency: n, count, maxMs: config.phaseMaxMs, pollMs: config.pollMs, waitMs: mode.waitMs, keepLatencies: true });
        const sides = { suite: suiteSide, peer: peer.side };
        // Both sides first run unmeasured tasks: a cold process spends a large share of its CPU compiling.
        log(`row 5: ${mode.label}, ${peer.name}: ${config.e2eWarmup} warm-up tasks each side, then ${config.e2eCount} measured in alternating blocks (suite, peer, peer, suite)`);
        if (config.e2eWarmup > 0) for (const side of Object.values(sides)) await runLoad(spec(side.url, config.e2eWarmup));
        const measured = await e2eBlocks(sides, (url, count) => spec(url, count));
        const e = measured.suite.load;
        const b = measured.peer.load;
        checkOk(`suite end-to-end, ${mode.label}`, e);
        checkOk(`${peer.name} end-to-end, ${mode.label}`, b);
        notes.push(
          `Row 5, ${mode.label}, beside the ${peer.name}: CPU per completed task (ms) — suite ${cpuPerTask(measured.suite.cpu, e)}; ${peer.name} ${cpuPerTask(measured.peer.cpu, b)}. Status requests per task: suite ${statusRequestsPerTask(e)}, ${peer.name} ${statusRequestsPerTask(b)}. Submit (→ 202) p50 / p99 (ms): suite ${submitLatencyText(e)}, ${peer.name} ${submitLatencyText(b)}.`,
        );
        rows.push(
          { what: `end-to-end async tasks/s (submit → success ${mode.label}), concurrency ${n}${peer.rowSuffix}`, suite: fmt(e.perSecond), reference: fmt(b.perSecond), refLabel: peer.label, ratio: ratio(e.perSecond, b.perSecond) },
          { what: `end-to-end async p50 / p99 (ms), ${mode.label}${peer.rowSuffix}`, suite: `${fmt(e.p50Ms, 1)} / ${fmt(e.p99Ms, 1)}`, reference: `${fmt(b.p50Ms, 1)} / ${fmt(b.p99Ms, 1)}`, refLabel: peer.label, ratio: `${ratio(e.p50Ms, b.p50Ms)} / ${ratio(e.p99Ms, b.p99Ms)}` },
        );
      };
      const bullmqPeer = {
        name: 'BullMQ peer',
        label: 'BullMQ peer: bare Fastify + BullMQ worker, same model, results in Redis',
        rowSuffix: '',
        side: { url: `http://127.0.0.1:${peerPort}`, watch: [], pids: { 'peer server': peerServer.pid, 'peer worker': peerWorker.pid, ...servers } },
      };
      for (const mode of modes) await e2eRow(mode, bullmqPeer);
      await stopChild(peerServer);
      await stopChild(peerWorker);

      // The same peer on a Redis that fsyncs every write: what the suite's durable 202 is up against like for like.
      if (modes.length > 0 && config.e2eDurablePeer > 0) {
        durableRedis = await startDurableRedis(testPort()).catch((error: unknown) => {
          notes.push(`Row 5 beside the durable peer skipped: ${error instanceof Error ? error.message : String(error)}.`);
          return undefined;
        });
        if (durableRedis) {
          const durablePeerPort = testPort();
          ({ worker: peerWorker, server: peerServer } = await startPeer({ REDIS_URL: durableRedis.url, PEER_PREFIX: `${prefix}peer.`, PEER_PORT: String(durablePeerPort) }));
          const durablePeer = {
            name: 'durable BullMQ peer',
            rowSuffix: ', beside the durable BullMQ peer',
            label: 'the same BullMQ peer on a private Redis with appendonly yes, appendfsync always (every write fsynced before its reply, as the suite\'s quorum queues confirm)',
            side: { url: `http://127.0.0.1:${durablePeerPort}`, watch: [], pids: { 'peer server': peerServer.pid, 'peer worker': peerWorker.pid, RabbitMQ: servers.RabbitMQ, Redis: durableRedis.pid } },
          };
          for (const mode of modes) await e2eRow(mode, durablePeer);
          await stopChild(peerServer);
          await stopChild(peerWorker);
          await durableRedis.stop();
          durableRedis = undefined;
        }
      }
      await predictor.stop();
    }

    // 6. What one message costs the broker, durable (as the suite's task and outcome messages are) and not.
    if (config.brokerMessageRate > 0) {
      const rate = config.brokerMessageRate;
      const size = 4_096;
      log(`row 6: RabbitMQ CPU per message at ${rate}/s, ${size} B: quorum + persistent vs classic + transient, in A B B A order`);
      const kinds: Record<'durable' | 'transient', { queue: string; kind: QueueKind }> = {
        durable: { queue: costDurableQueue, kind: { declare: { durable: true, arguments: { 'x-queue-type': 'quorum' } }, persistent: true } },
        transient: { queue: costTransientQueue, kind: { declare: { durable: false, arguments: { 'x-queue-type': 'classic' } }, persistent: false } },
      };
      const perMessage: Record<'durable' | 'transient', number[]> = { durable: [], transient: [] };
      for (const name of ['durable', 'transient', 'transient', 'durable'] as const) {
        const { queue, kind } = kinds[name];
        perMessage[name].push(await brokerCpuPerMessage({ amqpUrl: TEST_AMQP_URL, queue, kind, size, rate, count: rate * 4, brokerPid: pidOf('beam.smp') }));
      }
      const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
      const durable = mean(perMessage.durable) * 1e6;
      const transient = mean(perMessage.transient) * 1e6;
      rows.push({
        what: `RabbitMQ CPU per message (µs): publish, confirm, deliver, ack at ${rate}/s, ${size} B, persistent on a quorum queue (the work and outcome queues)`,
        suite: fmt(durable),
        reference: fmt(transient),
        refLabel: 'same, transient on a classic queue (the RPC and notice queues)',
        ratio: ratio(durable, transient),
      });
    }

    // 7. Memory.
    for (const app of ['api-gateway', 'predictor', 'results']) {
      const m = rss.get(app);
      if (!m) continue;
      rows.push({ what: `${app} RSS (MB): under load (peak sampled) vs idle`, suite: fmt(m.peak / 2 ** 20, 0), reference: fmt(m.idle / 2 ** 20, 0), refLabel: 'idle, after start', ratio: ratio(m.peak, m.idle) });
    }
    notes.push(`Total bench time ${fmt((Date.now() - started) / 1000, 0)} s; TF.js backend ${info.backend ?? 'unknown'}.`);
  } finally {
    log('cleanup');
    await Promise.all([stopChild(rawServer), stopChild(rawWorker), stopChild(peerServer), stopChild(peerWorker)]);
    await durableRedis?.stop();
    await Promise.all([gateway.stop(), predictor?.stop(), results.stop()]);
    await deleteTopology(topologyOptions).catch((e: unknown) => log(`deleteTopology: ${String(e)}`));
    await deleteQueues([rawQueue, scratchQueue, costDurableQueue, costTransientQueue]).catch((e: unknown) => log(`deleteQueues: ${String(e)}`));
    await deleteRedisKeys(prefix).catch((e: unknown) => log(`deleteRedisKeys: ${String(e)}`));
  }

  const table = [
    '| measure | suite | reference | reference is | suite / reference |',
    '|---|---:|---:|---|---:|',
    ...rows.map((r) => `| ${r.what} | ${r.suite} | ${r.reference} | ${r.refLabel} | ${r.ratio} |`),
  ].join('\n');
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'cpu'}), ${fmt(totalmem() / 2 ** 30, 1)} GiB, Node ${process.version}`;
  const report = `${machine}\n\n${table}\n\n${notes.map((n) => `- ${n}`).join('\n')}\n`;
  process.stdout.write(`\n${report}`);
  await mkdir('.tmp/bench', { recursive: true });
  await writeFile('.tmp/bench/last-run.md', report);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
