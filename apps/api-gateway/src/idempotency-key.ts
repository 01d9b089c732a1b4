import { createHash } from 'node:crypto';
import type { PredictRequestDto } from '@app/contracts';

/**
 * The key under which `results` remembers a submission. A client's `Idempotency-Key` header wins;
 * otherwise the request itself is the key (same match and same features, in any key order).
 */
export function idempotencyKeyOf(request: PredictRequestDto, header: string | undefined): string {
  if (header !== undefined) return `client:${sha256(header)}`;
  const features = request.features
    ? Object.keys(request.features)
        .sort()
        .map((k) => [k, request.features?.[k] ?? null])
    : null;
  return `request:${sha256(JSON.stringify({ match_id: request.match_id, features }))}`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
