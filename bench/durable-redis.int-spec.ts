import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { testPort } from '@app/testing';
import { startDurableRedis } from './durable-redis.js';

/** The bench's Redis directories in the temp folder now (another run's may be there too: compare sets). */
const benchRedisDirs = (): Set<string> => new Set(readdirSync(tmpdir()).filter((name) => name.startsWith('bench-redis-')));

const added = (before: Set<string>): string[] => [...benchRedisDirs()].filter((name) => !before.has(name));

/** A bare TCP connect: resolves when something listens on the port, rejects with the socket's error otherwise. */
const connectTo = (port: number): Promise<void> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });

describe("the durable peer's private Redis", () => {
  it('fsyncs every write before answering, and leaves nothing behind once stopped', async () => {
    const before = benchRedisDirs();
    const port = testPort();
    const redis = await startDurableRedis(port);
    const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      await client.connect();
      assert.deepEqual(await client.config('GET', 'appendonly'), ['appendonly', 'yes']);
      assert.deepEqual(await client.config('GET', 'appendfsync'), ['appendfsync', 'always']);
      assert.deepEqual(await client.config('GET', 'save'), ['save', '']);
      await client.set('written', '1');
      assert.equal(await client.get('written'), '1');
      assert.equal(added(before).length, 1, 'its data lives in a directory of its own');
    } finally {
      client.disconnect();
      await redis.stop();
    }
    await assert.rejects(connectTo(port), /ECONNREFUSED/, 'the server is gone');
    assert.deepEqual(added(before), []);
  });

  it('rejects with Redis\'s own words when it cannot start, and removes its directory', async () => {
    const before = benchRedisDirs();
    const port = testPort();
    const first = await startDurableRedis(port);
    try {
      await assert.rejects(startDurableRedis(port), /exited 1[\s\S]*Address already in use/);
      assert.equal(added(before).length, 1, "only the running server's directory is left");
    } finally {
      await first.stop();
    }
    assert.deepEqual(added(before), []);
  });

  it('rejects when redis-server is not on the PATH, and removes its directory', async () => {
    const before = benchRedisDirs();
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await assert.rejects(startDurableRedis(testPort()), /ENOENT/);
    } finally {
      process.env.PATH = path;
    }
    assert.deepEqual(added(before), []);
  });
});
