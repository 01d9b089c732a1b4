/**
 * Our own header names. Never `x-*`: RabbitMQ reserves those and newer versions strip client-set ones,
 * and `x-death` only exists after the broker itself dead-letters a message.
 */
export const Headers = {
  attempt: 'mp-attempt',
  correlationId: 'mp-correlation-id',
  deathReason: 'mp-death-reason',
  deathError: 'mp-death-error',
  originalQueue: 'mp-original-queue',
} as const;

/** The 1-based attempt number a delivery represents (first delivery: 1). */
export function attemptOf(headers: Record<string, unknown> | undefined): number {
  const raw = Number(headers?.[Headers.attempt]);
  return Number.isInteger(raw) && raw >= 1 ? raw : 1;
}
