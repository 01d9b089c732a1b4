export interface GroupCommitOptions {
  /** Items per flush at most. */
  maxBatch: number;
  /** Flushes running at once; while all are busy, new items gather for the next one. */
  maxInFlight: number;
  /**
   * For work off the caller's latency path: a flush waits this long after its first item, so that the items
   * of that time ride together (0, the default: a free slot flushes at once). A full batch goes at once.
   */
  lingerMs?: number;
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
  private lingering: NodeJS.Timeout | undefined;

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
    const lingerMs = this.options.lingerMs ?? 0;
    if (lingerMs > 0 && this.waiting.length < this.options.maxBatch) {
      if (this.waiting.length > 0 && this.lingering === undefined) {
        this.lingering = setTimeout(() => {
          this.lingering = undefined;
          this.flushWaiting();
        }, lingerMs);
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
    if (this.waiting.length === 0 && this.lingering !== undefined) {
      clearTimeout(this.lingering);
      this.lingering = undefined;
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
