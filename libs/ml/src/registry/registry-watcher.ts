import type { ModelRegistry, ResolvedModel } from './model.registry.js';

/**
 * Polls what a model ref (e.g. `match-outcome@champion`) resolves to and reports a change of version or run.
 * Promotion rewrites `aliases.json` atomically, so a poll sees either the old or the new alias, never half.
 * Polling (not fs.watch) because the registry may live on shared storage where change events are unreliable.
 */
export class RegistryWatcher {
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;

  constructor(
    private readonly registry: ModelRegistry,
    private readonly ref: string,
    private readonly intervalMs: number,
    private readonly serving: () => { version: number; run_id: string } | undefined,
    private readonly onChange: (resolved: ResolvedModel) => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(): void {
    if (this.intervalMs <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.check(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.checking;
  }

  /** One poll; concurrent calls share the poll in progress. */
  check(): Promise<void> {
    this.checking ??= this.poll().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async poll(): Promise<void> {
    try {
      const resolved = await this.registry.resolve(this.ref);
      const current = this.serving();
      if (current && current.version === resolved.metadata.version && current.run_id === resolved.metadata.run_id) return;
      await this.onChange(resolved);
    } catch (error) {
      this.onError(error);
    }
  }
}
