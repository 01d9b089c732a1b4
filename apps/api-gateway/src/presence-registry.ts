import type { PredictorHeartbeatMessage } from '@app/contracts';

/** A live predictor as `GET /monitoring/predictors` shows it. */
export interface PredictorPresence {
  instance_id: string;
  hostname: string;
  pid: number;
  model_name: string;
  model_version: number;
  model_run_id: string;
  alias: string | null;
  backend: string;
  started_at: string;
  /** When this gateway last heard from it (its own clock, not the sender's). */
  last_seen: string;
}

/** Heartbeats a predictor may miss before it counts as gone. */
export const MISSED_HEARTBEATS_BEFORE_EXPIRY = 3;

interface Entry {
  presence: PredictorPresence;
  expiresAt: number;
}

/**
 * The predictors heard from recently, by instance id. Pure: the caller passes the time. An entry expires
 * after three of its sender's intervals without a heartbeat, or at once on its `leaving` heartbeat; a
 * heartbeat that arrives after `leaving` (published just before it) does not bring the instance back.
 * Expiry is measured on the receiver's clock, so clock skew between hosts cannot keep a dead one alive.
 */
export class PresenceRegistry {
  private readonly live = new Map<string, Entry>();
  /** Instances that said goodbye, until their last ordinary heartbeat could no longer be in flight. */
  private readonly departed = new Map<string, number>();

  record(heartbeat: PredictorHeartbeatMessage, now: number): void {
    const window = MISSED_HEARTBEATS_BEFORE_EXPIRY * heartbeat.interval_ms;
    if (heartbeat.status === 'leaving') {
      this.live.delete(heartbeat.instance_id);
      this.departed.set(heartbeat.instance_id, now + window);
      return;
    }
    if (this.departed.has(heartbeat.instance_id)) return;
    this.live.set(heartbeat.instance_id, {
      expiresAt: now + window,
      presence: {
        instance_id: heartbeat.instance_id,
        hostname: heartbeat.hostname,
        pid: heartbeat.pid,
        model_name: heartbeat.model_name,
        model_version: heartbeat.model_version,
        model_run_id: heartbeat.model_run_id,
        alias: heartbeat.alias,
        backend: heartbeat.backend,
        started_at: heartbeat.started_at,
        last_seen: new Date(now).toISOString(),
      },
    });
  }

  /** Forgets what has expired by `now`. */
  prune(now: number): void {
    for (const [id, entry] of this.live) if (entry.expiresAt <= now) this.live.delete(id);
    for (const [id, until] of this.departed) if (until <= now) this.departed.delete(id);
  }

  /** The live predictors at `now`, oldest first (then by host and pid, for a stable order). */
  list(now: number): PredictorPresence[] {
    this.prune(now);
    return [...this.live.values()]
      .map((e) => e.presence)
      .sort((a, b) => Date.parse(a.started_at) - Date.parse(b.started_at) || a.hostname.localeCompare(b.hostname) || a.pid - b.pid);
  }

  count(now: number): number {
    this.prune(now);
    return this.live.size;
  }
}
