/** Feature values by name; null = unknown (no history yet), imputed with the training mean at inference. */
export type FeatureVector = Record<string, number | null>;
