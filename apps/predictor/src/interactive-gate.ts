import { Injectable } from '@nestjs/common';
import { setImmediate as yieldToIo } from 'node:timers/promises';

/**
 * Interactive priority inside one predictor process. Sync requests and async batches share one event loop
 * and, on a small machine, the same cores; an async batch holds the loop for milliseconds. So async work
 * steps aside while a sync request is in flight: before each stage of a batch it waits until no sync request
 * is being scored — but never longer than `maxWaitMs`, so a steady sync load slows the backlog without
 * starving it.
 */
@Injectable()
export class InteractiveGate {
  private active = 0;
  private waiters: (() => void)[] = [];

  enter(): void {
    this.active += 1;
  }

  leave(): void {
    this.active = Math.max(0, this.active - 1);
    if (this.active === 0) this.release();
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
