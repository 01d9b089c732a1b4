/** One row waiting to be scored, and where its answer goes. */
interface Pending<M> {
  model: M;
  features: Record<string, number | null>;
  interactive: boolean;
  answer: Answer;
  /** The row's place in `answer` (scoreMany); unused by a promise of its own. */
  slot: number;
}

/**
 * Receives the answer of a row: a promise of its own (score), or a slot of a whole batch's answers (scoreMany,
 * which so needs no promise, closure or microtask per row).
 */
interface Answer {
  fulfil(probabilities: number[], slot: number): void;
  fail(error: unknown, slot: number): void;
}

export interface BatcherOptions {
  /** Rows per model call at most. */
  maxSize: number;
  /** How long the first async row of a batch waits for company; 0 scores every row on its own. */
  windowMs: number;
}

/** Scores a batch of rows with one model call; `onBatch` reports each call (for metrics). */
export type BatchScorer<M> = (model: M, rows: Record<string, number | null>[]) => number[][];

/**
 * Dynamic batching: rows that arrive within a short window (or until the batch is full) are scored in one
 * model call, which on TF.js costs about as much as scoring one row. An interactive (sync) row never waits
 * for the window: it joins the batch being formed and the batch is scored at once. Rows are grouped by the
 * model they were validated against, so a hot swap mid-window cannot mix signatures.
 */
export class InferenceBatcher<M> {
  private pending: Pending<M>[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: BatcherOptions,
    private readonly scorer: BatchScorer<M>,
    private readonly onBatch: (size: number, seconds: number, interactive: boolean) => void = () => undefined,
  ) {}

  score(model: M, features: Record<string, number | null>, interactive: boolean): Promise<number[]> {
    return new Promise<number[]>((resolve, reject) => {
      this.pending.push({ model, features, interactive, answer: { fulfil: resolve, fail: reject }, slot: 0 });
      if (interactive || this.options.windowMs <= 0 || this.pending.length >= this.options.maxSize) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.windowMs);
    });
  }

  /**
   * Rows already gathered by the caller (an async batch): scored at once together with anything waiting, never
   * held for the window. Each row settles on its own, so one bad row does not fail the others.
   */
  scoreMany(model: M, rows: Record<string, number | null>[]): Promise<PromiseSettledResult<number[]>[]> {
    const answers = new Array<PromiseSettledResult<number[]>>(rows.length);
    const answer: Answer = {
      fulfil: (value, slot) => (answers[slot] = { status: 'fulfilled', value }),
      fail: (reason, slot) => (answers[slot] = { status: 'rejected', reason }),
    };
    for (let slot = 0; slot < rows.length; slot++) this.pending.push({ model, features: rows[slot]!, interactive: false, answer, slot });
    // Scoring is synchronous: by the time flush returns, it has settled every row.
    this.flush();
    return Promise.resolve(answers);
  }

  /** Scores everything waiting now, in batches of at most maxSize per model. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    let waiting = this.pending;
    this.pending = [];
    while (waiting.length > 0) {
      const model = waiting[0]!.model;
      // One pass: the first maxSize rows of this model form the batch, the rest keep their order for later.
      const batch: Pending<M>[] = [];
      const rest: Pending<M>[] = [];
      for (const p of waiting) (p.model === model && batch.length < this.options.maxSize ? batch : rest).push(p);
      this.run(model, batch);
      waiting = rest;
    }
  }

  private run(model: M, batch: Pending<M>[]): void {
    const started = process.hrtime.bigint();
    let scored: number[][];
    try {
      scored = this.scorer(model, batch.map((p) => p.features));
    } catch (error) {
      // One bad row must not fail its neighbours: score them one by one to find it.
      if (batch.length > 1) return batch.forEach((p) => this.run(model, [p]));
      const only = batch[0];
      only?.answer.fail(error, only.slot);
      return;
    }
    this.onBatch(batch.length, Number(process.hrtime.bigint() - started) / 1e9, batch.some((p) => p.interactive));
    batch.forEach((p, i) => {
      const row = scored[i];
      if (row) p.answer.fulfil(row, p.slot);
      else p.answer.fail(new Error('the model returned fewer rows than it was given'), p.slot);
    });
  }
}
