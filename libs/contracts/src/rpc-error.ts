/** Error payload of an RPC reply (Nest sends it as `err`). Codes are stable; messages are for humans. */
export const RPC_ERROR_CODES = ['invalid_message', 'invalid_features', 'unknown_match', 'deadline_exceeded', 'not_ready', 'internal'] as const;
export type RpcErrorCode = (typeof RPC_ERROR_CODES)[number];

export interface RpcErrorPayload {
  code: RpcErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export function isRpcErrorPayload(value: unknown): value is RpcErrorPayload {
  if (typeof value !== 'object' || value === null) return false;
  const { code, message } = value as Record<string, unknown>;
  return typeof message === 'string' && typeof code === 'string' && (RPC_ERROR_CODES as readonly string[]).includes(code);
}
