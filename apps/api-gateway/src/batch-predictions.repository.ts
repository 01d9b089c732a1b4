import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { readPredictionsParquet, type BatchPrediction } from '@app/ml';
import { stat } from 'node:fs/promises';
import { GATEWAY_CONFIG, GatewayConfig } from './gateway.config.js';

/** How often, at most, the file's modification time is checked for a newer batch run. */
const RECHECK_MS = 2000;

/**
 * Precomputed predictions from the batch-inference parquet file. A new file (written atomically by
 * `npm run batch-infer`) is noticed by its modification time and loaded without a restart.
 */
@Injectable()
export class BatchPredictionsRepository implements OnModuleInit {
  private readonly logger = new Logger(BatchPredictionsRepository.name);
  private byMatch = new Map<number, BatchPrediction>();
  private loadedMtimeMs = -1;
  private checkedAt = 0;
  private reloading: Promise<void> | undefined;

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  async onModuleInit(): Promise<void> {
    await this.reloadIfChanged();
  }

  async find(matchId: number): Promise<BatchPrediction | undefined> {
    if (Date.now() - this.checkedAt > RECHECK_MS) {
      this.reloading ??= this.reloadIfChanged().finally(() => (this.reloading = undefined));
      await this.reloading;
    }
    return this.byMatch.get(matchId);
  }

  size(): number {
    return this.byMatch.size;
  }

  private async reloadIfChanged(): Promise<void> {
    this.checkedAt = Date.now();
    const file = this.config.PREDICTIONS_FILE;
    const mtimeMs = await stat(file).then((s) => s.mtimeMs, () => -1);
    if (mtimeMs === this.loadedMtimeMs) return;
    if (mtimeMs < 0) {
      this.logger.warn(`no batch predictions at ${file}: run \`npm run batch-infer\``);
      this.byMatch = new Map();
    } else {
      const rows = await readPredictionsParquet(file);
      this.byMatch = new Map(rows.map((r) => [r.match_id, r]));
      this.logger.log(`loaded ${rows.length} batch predictions from ${file}`);
    }
    this.loadedMtimeMs = mtimeMs;
  }
}
