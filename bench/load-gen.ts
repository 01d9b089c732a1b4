// The load generator: runs in its own Node process (spawned by run-bench), so the apps under test and the
// client do not share an event loop. Talks to 127.0.0.1 only. Bounded by count and by time.
// Usage: node load-gen.js '<json LoadSpec>'  → prints one JSON LoadResult line on stdout.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { summarize, type LoadResult } from './load-result.js';

export type LoadSpec =
  | {
      kind: 'http';
      /** http://127.0.0.1:<port>/path */
      url: string;
      /** 'same': one body for every request; 'distinct': match_id and one feature vary per request (distinct tasks). */
      bodies: 'same' | 'distinct';
      features: Record<string, number>;
      concurrency: number;
      count: number;
      maxMs: number;
      warmup?: number;
      /** Return every latency (sorted, ms), so that loads run in blocks can be merged exactly. */
      keepLatencies?: boolean;
    }
  | {
      /** Submit → poll `status_url` until `success`: end-to-end async tasks/s and latency. */
      kind: 'http-e2e';
      /** http://127.0.0.1:<port> (POST /predict/async/, then GET the answer's status_url) */
      baseUrl: string;
      features: Record<string, number>;
      concurrency: number;
      count: number;
      maxMs: number;
      pollMs: number;
      /** Set: long-poll (`?wait_ms=`) right after the submit instead of sleeping pollMs between plain polls. */
      waitMs?: number;
      /** Return every latency (sorted, ms), so that loads run in blocks can be merged exactly. */
      keepLatencies?: boolean;
    }
  | { kind: 'amqp-publish'; amqpUrl: string; queue: string; concurrency: number; count: number; maxMs: number };

function post(agent: http.Agent, url: URL, body: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(
      { agent, host: url.hostname, port: url.port, path: url.pathname + url.search, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(-1));
      },
    );
    req.setTimeout(30_000, () => req.destroy());
    req.on('error', () => resolve(-1));
    req.end(body);
  });
}

function request(agent: http.Agent, url: URL, method: 'GET' | 'POST', body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve) => {
    const headers: Record<string, string | number> = body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    const req = http.request({ agent, host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      res.on('error', () => resolve({ status: -1, text: '' }));
    });
    req.setTimeout(30_000, () => req.destroy());
    req.on('error', () => resolve({ status: -1, text: '' }));
    req.end(body);
  });
}

/** One operation's outcome: a label to tally, and whether it counts as done right. */
interface Outcome {
  outcome: string;
  ok: boolean;
}

/**
 * The one load loop: `concurrency` workers run `op` back to back until `count` operations or `maxMs` have
 * passed (bounded in count and time), timing each and tallying its outcome.
 */
async function closedLoop(concurrency: number, count: number, maxMs: number, op: (i: number, stopAt: number) => Promise<Outcome>): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let ok = 0;
  let next = 0;
  const started = performance.now();
  const stopAt = started + maxMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count && performance.now() < stopAt) {
        const i = next++;
        const t0 = performance.now();
        const result = await op(i, stopAt);
        latencies.push(performance.now() - t0);
        statuses[result.outcome] = (statuses[result.outcome] ?? 0) + 1;
        if (result.ok) ok += 1;
      }
    }),
  );
  return summarize(latencies, statuses, ok, performance.now() - started);
}

/** Submit, then poll (or long-poll) the status URL until the task ends: the end-to-end async time. */
async function runE2e(spec: Extract<LoadSpec, { kind: 'http-e2e' }>): Promise<LoadResult> {
  const base = new URL(spec.baseUrl);
  if (base.hostname !== '127.0.0.1') throw new Error('load-gen only talks to 127.0.0.1');
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.concurrency });
  const firstFeature = Object.keys(spec.features)[0];
  const salt = Math.random();
  let statusRequests = 0;
  const submitLatencies: number[] = [];
  const result = await closedLoop(spec.concurrency, spec.count, spec.maxMs, async (i, stopAt) => {
    const features = { ...spec.features };
    if (firstFeature) features[firstFeature] = salt + i / 1e6;
    const submitAt = performance.now();
    const submitted = await request(agent, new URL('/predict/async/', base), 'POST', JSON.stringify({ match_id: 1 + i, features }));
    submitLatencies.push(performance.now() - submitAt);
    if (submitted.status !== 202) return { outcome: `submit ${submitted.status}`, ok: false };
    const { status_url } = JSON.parse(submitted.text) as { status_url: string };
    const statusUrl = new URL(status_url, base);
    if (spec.waitMs !== undefined) statusUrl.searchParams.set('wait_ms', String(spec.waitMs));
    for (;;) {
      if (spec.waitMs === undefined) await new Promise((r) => setTimeout(r, spec.pollMs));
      const polled = await request(agent, statusUrl, 'GET');
      statusRequests += 1;
      const status = polled.status === 200 ? (JSON.parse(polled.text) as { status: string }).status : `http ${polled.status}`;
      if (status === 'success' || status === 'failure' || polled.status !== 200 || performance.now() > stopAt + 30_000) {
        return { outcome: status, ok: status === 'success' };
      }
    }
  });
  agent.destroy();
  return { ...result, statusRequests, submitLatenciesMs: submitLatencies.sort((a, b) => a - b) };
}

async function runHttp(spec: Extract<LoadSpec, { kind: 'http' }>): Promise<LoadResult> {
  const url = new URL(spec.url);
  if (url.hostname !== '127.0.0.1') throw new Error('load-gen only talks to 127.0.0.1');
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.concurrency });
  const firstFeature = Object.keys(spec.features)[0];
  const run = randomUUID().slice(0, 8);
  const bodyFor = (i: number): string => {
    if (spec.bodies === 'same') return JSON.stringify({ match_id: 424242, features: spec.features });
    const features = { ...spec.features };
    if (firstFeature) features[firstFeature] = i / 1e6 + (parseInt(run, 16) % 1000) / 1000;
    return JSON.stringify({ match_id: 1 + (i % 1_000_000), features });
  };
  // Warm-up: opens the sockets and the JITs; not measured.
  const warm = spec.warmup ?? Math.min(200, spec.count);
  let w = 0;
  await Promise.all(
    Array.from({ length: spec.concurrency }, async () => {
      while (w < warm) await post(agent, url, bodyFor(spec.count + w++));
    }),
  );
  const result = await closedLoop(spec.concurrency, spec.count, spec.maxMs, async (i) => {
    const status = await post(agent, url, bodyFor(i));
    return { outcome: String(status), ok: status >= 200 && status < 300 };
  });
  agent.destroy();
  return result;
}

/** Persistent publishes to a queue on a confirm channel, `concurrency` in flight, each awaiting its own confirm. */
async function runPublish(spec: Extract<LoadSpec, { kind: 'amqp-publish' }>): Promise<LoadResult> {
  const connection = await amqp.connect(spec.amqpUrl, { noDelay: true });
  const channel = await connection.createConfirmChannel();
  const body = Buffer.from(JSON.stringify({ pattern: 'prediction.task.v1', data: { task_id: randomUUID(), match_id: 1, features: {} } }));
  const result = await closedLoop(spec.concurrency, spec.count, spec.maxMs, async () => {
    await new Promise<void>((resolve, reject) =>
      channel.sendToQueue(spec.queue, body, { persistent: true }, (err: unknown) => (err ? reject(err instanceof Error ? err : new Error('publish nacked')) : resolve())),
    );
    return { outcome: 'confirmed', ok: true };
  });
  await connection.close();
  return result;
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
  const result = spec.kind === 'http' ? await runHttp(spec) : spec.kind === 'http-e2e' ? await runE2e(spec) : await runPublish(spec);
  const cpu = process.cpuUsage();
  // Latencies only when asked for: thousands of numbers on stdout otherwise.
  const keep = spec.kind !== 'amqp-publish' && spec.keepLatencies;
  const latenciesMs = keep ? result.latenciesMs : undefined;
  const submitLatenciesMs = keep ? result.submitLatenciesMs : undefined;
  process.stdout.write(`${JSON.stringify({ ...result, latenciesMs, submitLatenciesMs, cpuSeconds: (cpu.user + cpu.system) / 1e6 })}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
