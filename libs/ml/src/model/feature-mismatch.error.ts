export interface FeatureIssues {
  /** Names the model does not know. */
  unknown: string[];
  /** Signature names absent from the input (null is allowed, absent is not). */
  missing: string[];
  /** Names whose value is neither null nor a finite number. */
  invalid: string[];
}

/** Thrown when inputs do not match the model's feature signature; callers map it to 422 with the lists. */
export class FeatureMismatchError extends Error {
  constructor(
    readonly issues: FeatureIssues,
    /** Index of the offending row in a batch. */
    readonly row = 0,
  ) {
    const parts = [
      issues.unknown.length > 0 ? `unknown: ${issues.unknown.join(', ')}` : '',
      issues.missing.length > 0 ? `missing: ${issues.missing.join(', ')}` : '',
      issues.invalid.length > 0 ? `invalid: ${issues.invalid.join(', ')}` : '',
    ].filter((p) => p !== '');
    super(`Features do not match the model signature (row ${row}): ${parts.join('; ')}`);
    this.name = 'FeatureMismatchError';
  }
}
