// Shared settings of the BullMQ peer (bench only): Redis connection options and key names under the bench prefix.
export const PEER_PREFIX = process.env.PEER_PREFIX ?? 'bench.peer.';
export const PEER_QUEUE = 'predict';

export function redisConnection(): { host: string; port: number; maxRetriesPerRequest: null } {
  const url = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  return { host: url.hostname, port: Number(url.port || 6379), maxRetriesPerRequest: null };
}

export const bullPrefix = `${PEER_PREFIX}bull`;
export const taskKey = (id: string): string => `${PEER_PREFIX}task:${id}`;
