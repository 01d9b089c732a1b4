import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Patterns } from '@app/contracts';
import type { RpcClient } from '@app/messaging';
import { GatewayConfig } from './gateway.config.js';
import { TaskStoreClient } from './task-store.client.js';

const ID = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;

/** A results RPC stand-in: records each call and answers every item of a batch as created or marked. */
function results() {
  const calls: { pattern: string; data: { items: unknown[]; queued?: unknown[] } }[] = [];
  const client = {
    call: (pattern: string, data: { items: unknown[]; queued?: unknown[] }) => {
      calls.push({ pattern, data });
      const value = pattern === Patterns.taskCreateMany ? { task_id: ID(9), created: true, status: 'pending', queued: false } : { marked: true };
      return Promise.resolve({ items: data.items.map(() => ({ ok: true, value })) });
    },
  } as unknown as RpcClient;
  return { calls, client };
}

const create = (n: number) => ({ idempotency_key: `request:${n}`, request: { match_id: n } });

describe('TaskStoreClient queued notes', () => {
  it('sends a note inside the next create batch, before which results applies it, and no RPC of its own', async () => {
    const { calls, client } = results();
    const store = new TaskStoreClient(client, new GatewayConfig());
    const noted = store.markQueued(ID(1));
    await store.create(create(2));
    await noted;
    assert.deepEqual(calls, [{ pattern: Patterns.taskCreateMany, data: { items: [create(2)], queued: [{ task_id: ID(1) }] } }]);
  });

  it('sends the notes alone when no create batch goes within 10 ms', async () => {
    const { calls, client } = results();
    const store = new TaskStoreClient(client, new GatewayConfig());
    await Promise.all([store.markQueued(ID(1)), store.markQueued(ID(2))]);
    assert.deepEqual(calls.map((c) => c.pattern), [Patterns.taskQueuedMany]);
    assert.deepEqual(calls[0]!.data.items, [{ task_id: ID(1) }, { task_id: ID(2) }]);
    await store.create(create(3));
    assert.equal(calls[1]!.data.queued, undefined, 'nothing left to ride along');
  });
});
