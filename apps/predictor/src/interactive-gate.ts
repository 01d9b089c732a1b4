import { Injectable } from '@nestjs/common';
import { setImmediate as yieldToIo, setTimeout as sleep } from 'node:timers/promises';

/** A sync request seen within this long counts as sync traffic going on (for pacing). */
export const SYNC_RECENT_MS = 250;

/** A stage is charged the CPU spent since the previous stage only if that ended at most this long ago. */
export const CHARGE_WINDOW_MS = 50;

/**
 * Interactive priority inside one predictor process. Sync requests and async batches share one event loop
 * and, on a small machine, the same cores; an async batch holds the loop for milliseconds. So async work
 * steps aside while a sync request is in flight: before each stage of a batch it waits until no sync request
 * is being scored — but never longer than `maxWaitMs`, so a steady sync load slows the backlog without
 * starving it.
 *
 * Stepping aside inside one process is not enough on a small machine: between two sync requests the async
 * backlog keeps every core busy (this predictor scoring, `results` recording, the broker moving messages),
 * and each hop of the next sync request waits for a core. So while sync traffic is going on (a request within
 * SYNC_RECENT_MS), async work is also paced: after each stage it stays off the loop long enough to take at
 * most `asyncShare` of the time, which slows the whole async pipeline behind it, not only this process.
 * Without sync traffic, async work runs flat out. `asyncShare` 1 turns pacing off.
 *
 * A stage is charged with the process's CPU time since the previous stage ended, not only its own run: the
 * deliveries received and decoded, the outcomes published and acked, and the garbage collected in between are
 * async work too, and counting only the stages let the backlog take two to three times its share. The CPU
 * spent while a sync request is in flight (from its delivery to its reply, see `enter`) is its own, and is left
 * out (ADR 0010).
 */
@Injectable()
export class InteractiveGate {
  private active = 0;
  private waiters: (() => void)[] = [];
  private lastSyncAt = Number.NEGATIVE_INFINITY;
  private asyncResumesAt = 0;
  /** When the last paced stage ended, and the process's CPU clock then: the start of what the next stage is charged. */
  private lastStageEndedAt = Number.NEGATIVE_INFINITY;
  private cpuAtLastStageEnd = 0;
  /** CPU spent while at least one sync request was in flight: in total, when the current span began, and as of the last stage's end. */
  private syncCpu = 0;
  private syncSpanStartCpu = 0;
  private syncCpuAtLastStageEnd = 0;

  constructor(
    private readonly asyncShare = 1,
    private readonly cpuMs: () => number = processCpuMs,
  ) {
    if (!(asyncShare > 0 && asyncShare <= 1)) throw new RangeError(`asyncShare must be in (0, 1], got ${asyncShare}`);
  }

  /** A sync request arrived (the interactive consumer calls this on delivery, and `leave` once it has replied). */
  enter(): void {
    if (this.active === 0 && this.asyncShare < 1) this.syncSpanStartCpu = this.cpuMs();
    this.active += 1;
    this.lastSyncAt = performance.now();
  }

  /**
   * Runs one stage of async work, first waiting out the pause the previous stages earned while sync traffic
   * was going on, then earning its own: (1 / asyncShare - 1) times what it is charged (see the class comment).
   */
  async paced<T>(stage: () => T | Promise<T>): Promise<T> {
    for (let wait = this.asyncResumesAt - performance.now(); wait > 0; wait = this.asyncResumesAt - performance.now()) await sleep(wait);
    const started = performance.now();
    try {
      return await stage();
    } finally {
      const now = performance.now();
      // The CPU clock is a system call that sums every thread; without sync traffic nothing is paced, so it is
      // read only while pacing (it was 5-8% of a predictor's CPU under an async-only load, session 8). The
      // first paced stage after a quiet spell is then charged its own run (the last reading is too old).
      if (this.asyncShare < 1 && now - this.lastSyncAt < SYNC_RECENT_MS) {
        const cpu = this.cpuMs();
        this.asyncResumesAt = now + this.charge(started, now, cpu) * (1 / this.asyncShare - 1);
        this.lastStageEndedAt = now;
        this.cpuAtLastStageEnd = cpu;
        this.syncCpuAtLastStageEnd = this.syncCpu;
      }
    }
  }

  /**
   * The stage's own run, or the CPU the process spent on other than sync requests since the previous stage
   * ended if that is more. That CPU is capped at the wall time it was spent in (GC threads run beside the
   * loop), and not counted at all after a lull longer than CHARGE_WINDOW_MS.
   */
  private charge(started: number, now: number, cpu: number): number {
    const own = now - started;
    const since = now - this.lastStageEndedAt;
    if (since > CHARGE_WINDOW_MS) return own;
    const asyncCpu = cpu - this.cpuAtLastStageEnd - (this.syncCpu - this.syncCpuAtLastStageEnd);
    return Math.max(own, Math.min(asyncCpu, since));
  }

  leave(): void {
    this.active = Math.max(0, this.active - 1);
    if (this.active > 0) return;
    if (this.asyncShare < 1) this.syncCpu += this.cpuMs() - this.syncSpanStartCpu;
    this.release();
  }

  /** Lets pending I/O (a sync request that just arrived) in first, then waits for no sync request in flight. */
  async stepAside(maxWaitMs: number): Promise<void> {
    await yieldToIo();
    if (this.active === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, maxWaitMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
    });
  }

  private release(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/** User + system CPU time of this process so far, in ms (all threads: the loop, GC, libuv). */
function processCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}
