export type PromotionDecisionKind = 'promoted' | 'refused' | 'forced';

export interface GateInput {
  /** Log-loss of candidate and champion on the same evaluation set. */
  candidateLogLoss: number;
  /** null when there is no champion yet. */
  championLogLoss: number | null;
  force?: boolean;
  reason?: string;
}

export interface GateDecision {
  decision: PromotionDecisionKind;
  /** Move `champion` to the candidate. */
  promote: boolean;
  /** --force overrode a gate that refused. */
  forced: boolean;
  /** What the gate alone concluded, before any override. */
  gatePassed: boolean;
  /** e.g. `candidate 0.9301 > champion 0.9244`. */
  detail: string;
  /** The operator's --reason, trimmed, or null. */
  reason: string | null;
}

export class PromotionOverrideError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PromotionOverrideError';
  }
}

/** An override must say why, so the log can answer "who shipped a worse model, and why". */
export function checkOverride(force: boolean | undefined, reason: string | undefined): string | null {
  const trimmed = reason?.trim() ?? '';
  if (force && trimmed === '') throw new PromotionOverrideError('--force requires --reason "<why the gate is overridden>"');
  return trimmed === '' ? null : trimmed;
}

/**
 * The promotion gate: the candidate replaces the champion only if its log-loss on the same matches is no worse
 * (ties promote, so re-registering the same model is allowed). A non-finite log-loss never passes.
 */
export function decidePromotion(input: GateInput): GateDecision {
  const reason = checkOverride(input.force, input.reason);
  const candidate = input.candidateLogLoss;
  const champion = input.championLogLoss;
  let gatePassed: boolean;
  let detail: string;
  if (!Number.isFinite(candidate)) {
    gatePassed = false;
    detail = `candidate log-loss is not a number (${candidate})`;
  } else if (champion === null) {
    gatePassed = true;
    detail = `no current champion; candidate ${fmt(candidate)}`;
  } else if (!Number.isFinite(champion)) {
    gatePassed = true;
    detail = `champion log-loss is not a number (${champion}); candidate ${fmt(candidate)}`;
  } else {
    gatePassed = candidate <= champion;
    detail = `candidate ${fmt(candidate)} ${gatePassed ? '<=' : '>'} champion ${fmt(champion)}`;
  }
  const forced = !gatePassed && input.force === true;
  return {
    decision: gatePassed ? 'promoted' : forced ? 'forced' : 'refused',
    promote: gatePassed || forced,
    forced,
    gatePassed,
    detail,
    reason,
  };
}

function fmt(x: number): string {
  return x.toFixed(6);
}
