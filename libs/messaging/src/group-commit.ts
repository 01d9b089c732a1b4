export interface GroupCommitOptions {
  /** Items per flush at most. */
  maxBatch: number;
  /** Flushes running at once; while all are busy, new items gather for the next one. */
  maxInFlight: number;
  /**
   * A flush waits for the end of the current turn of the event loop (setImmediate), so that the items
   * submitted together (the continuations of one reply, say) ride together, at no cost in latency.
   */
  gatherTick?: boolean;
}

/** Flushes a batch; answers each item in order, with a value or that item's own error. */
export type FlushBatch<I, O> = (items: I[]) => Promise<(O | Error)[]>;

interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit ("natural batching"): an item goes out at once when a flush slot is free, so a lone caller
 * pays no extra latency; items that arrive while every slot is busy ride together in the next flush. Under
 * load, N concurrent calls cost a handful of round trips instead of N, with no timer and no tuning window.
 */
export class GroupCommit<I, O> {
  private waiting: Waiting<I, O>[] = [];
  private inFlight = 0;
  private gathering = false;

  constructor(
    private readonly flushBatch: FlushBatch<I, O>,
    private readonly options: GroupCommitOptions,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.options.gatherTick && this.waiting.length < this.options.maxBatch) {
      if (!this.gathering && this.waiting.length > 0) {
        this.gathering = true;
        setImmediate(() => {
          this.gathering = false;
          this.flushWaiting();
        });
      }
      return;
    }
    this.flushWaiting();
  }

  private flushWaiting(): void {
    while (this.inFlight < this.options.maxInFlight && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.options.maxBatch);
      this.inFlight += 1;
      void this.run(batch).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  private async run(batch: Waiting<I, O>[]): Promise<void> {
    let answers: (O | Error)[];
    try {
      answers = await this.flushBatch(batch.map((w) => w.item));
    } catch (error) {
      for (const w of batch) w.reject(error);
      return;
    }
    batch.forEach((w, i) => {
      const answer = answers[i];
      if (answer === undefined) w.reject(new Error('the batch answered fewer items than it was given'));
      else if (answer instanceof Error) w.reject(answer);
      else w.resolve(answer);
    });
  }
}
