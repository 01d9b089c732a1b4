/**
 * The API's request body as a Fastify JSON schema: what the bare reference server and the BullMQ peer
 * validate, so both do the same validation work the suite does.
 */
export const PREDICT_BODY_SCHEMA = {
  body: {
    type: 'object',
    required: ['match_id'],
    properties: { match_id: { type: 'integer', minimum: 1 }, features: { type: 'object', additionalProperties: { type: ['number', 'null'] } } },
  },
} as const;

export type PredictBody = { match_id: number; features?: Record<string, number | null> };
