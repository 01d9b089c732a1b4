import { createHash } from 'node:crypto';

type Json = Record<string, unknown>;

export interface Submission {
  index: number;
  body: { match_id: number; features: Record<string, number> };
  taskId?: string;
  attempts: number;
  refusals: Record<string, number>;
}

export interface DriverCounts {
  submitted: number;
  accepted: number;
  refusedAnswers: number;
  refusalsByStatus: Record<string, number>;
  idempotencyConflicts: number;
}

/**
 * A well-behaved client under faults: submits distinct async tasks at a steady rate and, when a submission
 * is refused (503, 504, connection refused), retries the SAME body later, as the API's idempotency invites.
 * A submission is "accepted" once it got a 202; the task id it got must never change afterwards.
 */
export class LoadDriver {
  readonly submissions: Submission[] = [];
  private idempotencyConflicts = 0;
  private closed = false;

  constructor(
    private readonly gatewayUrl: () => string,
    private readonly featureNames: readonly string[],
  ) {}

  /**
   * Submits new tasks at about `perSecond` until `close()`, with `concurrency` in flight at most; keeps
   * retrying refused submissions until every one is accepted or `deadline` passes.
   */
  async run(perSecond: number, concurrency: number, deadline: number): Promise<void> {
    let next = 0;
    const startedAt = Date.now();
    const worker = async () => {
      for (;;) {
        const pendingRetry = this.submissions.find((s) => !s.taskId && s.attempts > 0 && !inFlight.has(s.index));
        let submission: Submission | undefined = pendingRetry;
        if (!submission && !this.closed) {
          const index = next++;
          const due = startedAt + (index * 1000) / perSecond;
          if (due > Date.now()) await sleep(due - Date.now());
          submission = { index, body: this.bodyFor(index), attempts: 0, refusals: {} };
          this.submissions.push(submission);
        }
        if (!submission) {
          if ((this.closed && this.submissions.every((s) => s.taskId)) || Date.now() > deadline) return;
          await sleep(100);
          continue;
        }
        inFlight.add(submission.index);
        await this.submit(submission);
        inFlight.delete(submission.index);
        if (!submission.taskId) await sleep(200);
        if (Date.now() > deadline) return;
      }
    };
    const inFlight = new Set<number>();
    await Promise.all(Array.from({ length: concurrency }, worker));
  }

  /** No new submissions from now on; refused ones are still retried. */
  close(): void {
    this.closed = true;
  }

  /** Submits accepted bodies once more: each must come back with its original task id. */
  async resubmitAccepted(sample: number): Promise<void> {
    const accepted = this.submissions.filter((s) => s.taskId);
    for (const s of accepted.filter((_, i) => i % Math.max(1, Math.floor(accepted.length / sample)) === 0)) {
      await this.submit(s);
    }
  }

  counts(): DriverCounts {
    const refusalsByStatus: Record<string, number> = {};
    for (const s of this.submissions) for (const [k, v] of Object.entries(s.refusals)) refusalsByStatus[k] = (refusalsByStatus[k] ?? 0) + v;
    return {
      submitted: this.submissions.length,
      accepted: this.submissions.filter((s) => s.taskId).length,
      refusedAnswers: Object.values(refusalsByStatus).reduce((a, b) => a + b, 0),
      refusalsByStatus,
      idempotencyConflicts: this.idempotencyConflicts,
    };
  }

  private async submit(s: Submission): Promise<void> {
    s.attempts += 1;
    let status = 'network';
    try {
      const res = await fetch(`${this.gatewayUrl()}/predict/async/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(s.body),
        signal: AbortSignal.timeout(15_000),
      });
      status = String(res.status);
      const body = (await res.json()) as Json;
      if (res.status === 202) {
        const id = String(body.task_id);
        if (s.taskId && s.taskId !== id) this.idempotencyConflicts += 1;
        s.taskId ??= id;
        return;
      }
    } catch {
      // Connection refused or reset while the gateway restarts: a refusal like any other.
    }
    s.refusals[status] = (s.refusals[status] ?? 0) + 1;
  }

  /** Distinct features per submission, so each is its own task (distinct idempotency key). */
  private bodyFor(index: number): Submission['body'] {
    const seed = createHash('sha256').update(String(index)).digest();
    const features = Object.fromEntries(this.featureNames.map((name, k) => [name, (seed[k % seed.length]! - 128) / 64]));
    return { match_id: 100_000 + index, features };
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
