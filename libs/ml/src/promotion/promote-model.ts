import type { EvaluationSet } from '../evaluation/evaluation-set.loader.js';
import { evaluateModelRef, type ModelEvaluation } from '../evaluation/model-evaluation.js';
import { ModelRegistry } from '../registry/model.registry.js';
import { MODEL_NAME, parseModelRef } from '../registry/model-ref.js';
import { checkOverride, decidePromotion, type GateDecision } from './promotion-gate.js';
import { appendPromotionLog, type PromotionLogEntry } from './promotion-log.js';

export interface PromotionOptions {
  registryRoot: string;
  name?: string;
  /** A version number or an alias; default `candidate`. */
  candidate?: string;
  set: EvaluationSet;
  force?: boolean;
  reason?: string;
  now?: () => Date;
}

export interface PromotionResult {
  decision: GateDecision;
  /** The line appended to promotions.log. */
  entry: PromotionLogEntry;
  candidate: ModelEvaluation;
  /** null when there was no champion. */
  champion: ModelEvaluation | null;
  aliases: Record<string, number>;
}

/** The promotion could not be decided (nothing to compare, or the registry moved underneath). Nothing is logged. */
export class PromotionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PromotionError';
  }
}

/**
 * Evaluates candidate and current champion on the same set, applies the gate, moves `champion` if it passes (or
 * is forced with a reason), and appends the decision to `promotions.log`. Moving the alias is the only hand-off
 * to serving: predictors poll `aliases.json` and hot-swap to the new champion.
 */
export async function promoteModel(options: PromotionOptions): Promise<PromotionResult> {
  const name = options.name ?? MODEL_NAME;
  // Refuse a reasonless override before spending time on evaluation.
  checkOverride(options.force, options.reason);
  const registry = new ModelRegistry(options.registryRoot);
  const candidateRef = `${name}@${options.candidate ?? 'candidate'}`;
  parseModelRef(candidateRef);
  const candidateVersion = (await registry.resolve(candidateRef)).metadata.version;
  const championVersion = (await registry.aliases(name)).champion ?? null;
  if (championVersion === candidateVersion) {
    throw new PromotionError(`${candidateRef} is version ${candidateVersion}, which is already the champion`);
  }

  // Pinned versions, not aliases: what is evaluated is exactly what the gate compares and the alias moves to.
  const candidate = await evaluateModelRef(options.registryRoot, `${name}@${candidateVersion}`, options.set);
  const champion = championVersion === null ? null : await evaluateModelRef(options.registryRoot, `${name}@${championVersion}`, options.set);
  const decision = decidePromotion({
    candidateLogLoss: candidate.scores.model.log_loss,
    championLogLoss: champion?.scores.model.log_loss ?? null,
    ...(options.force !== undefined ? { force: options.force } : {}),
    ...(options.reason !== undefined ? { reason: options.reason } : {}),
  });

  if (decision.promote) {
    const now = (await registry.aliases(name)).champion ?? null;
    if (now !== championVersion) {
      throw new PromotionError(`champion moved from ${championVersion} to ${now} during evaluation; re-run the promotion`);
    }
    await registry.setAlias(name, 'champion', candidateVersion);
  }

  const set = candidate.evaluation_set;
  const entry: PromotionLogEntry = {
    timestamp: (options.now?.() ?? new Date()).toISOString(),
    name,
    decision: decision.decision,
    from: championVersion,
    to: candidateVersion,
    candidate_log_loss: candidate.scores.model.log_loss,
    champion_log_loss: champion?.scores.model.log_loss ?? null,
    bookmaker_log_loss: candidate.scores.bookmakers?.log_loss ?? null,
    evaluation_set: { description: set.description, fingerprint: set.fingerprint, matches: set.matches, matches_with_odds: set.matches_with_odds },
    forced: decision.forced,
    reason: decision.reason,
    gate: decision.detail,
    candidate_run_id: candidate.model.run_id,
    champion_run_id: champion?.model.run_id ?? null,
  };
  await appendPromotionLog(options.registryRoot, entry);
  return { decision, entry, candidate, champion, aliases: await registry.aliases(name) };
}
