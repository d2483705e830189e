/**
 * The Bee-Queue transport against a Redis that restarts empty (no persistence, or a failover to a fresh replica):
 * the same producer and worker instances, never reopened, go on adding, raising delayed and recovering jobs.
 */
import BeeQueue from 'bee-queue';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../server/logger.ts';
import { beeQueueKey, createQueueTransport, openBeeQueues } from '../../server/queue/transport.ts';
import { createPrivateRedis, type PrivateRedis } from '../helpers/private-services.ts';
import { waitFor } from '../helpers/wait.ts';

const log = createLogger({ name: 'test', level: 'silent' });
const prefix = 'restart';
let server: PrivateRedis;
let redis: Redis;
let worker: Record<string, BeeQueue>;
let transport: ReturnType<typeof createQueueTransport>;
const processed: string[] = [];

beforeAll(async () => {
  server = await createPrivateRedis();
  await server.start();
  redis = new Redis(server.url, { maxRetriesPerRequest: 2, enableOfflineQueue: false });
  redis.on('error', () => undefined);
  transport = createQueueTransport(() => openBeeQueues({ redisUrl: server.url, prefix, log }), redis, prefix);
  worker = openBeeQueues({ redisUrl: server.url, prefix, log, worker: { stallIntervalMs: 500 } });
  worker.sync_orders!.process(2, (job) => {
    processed.push(String(job.id));
    return Promise.resolve();
  });
  await Promise.all(Object.values(worker).map((q) => q.ready()));
});

afterAll(async () => {
  await transport?.close().catch(() => undefined);
  await Promise.all(Object.values(worker ?? {}).map((q) => q.close(500).catch(() => undefined)));
  redis?.disconnect();
  await server?.destroy();
});

const spec = (id: string, runAt: Date | null = null) =>
  ({ id, queue: 'sync_orders', maxAttempts: 1, attemptsDone: 0, backoffMs: 100, runAt }) as const;

describe('Bee-Queue transport after Redis restarts empty', () => {
  it('enqueues, raises delayed jobs and runs them with the instances opened before the restart', async () => {
    await transport.enqueue([spec('before')]);
    await waitFor('the first job processed', () => processed.includes('before'));

    await server.stop();
    await server.start();
    await waitFor('the producer connection back', () => redis.status === 'ready', { timeoutMs: 10_000 });
    expect(await redis.dbsize()).toBe(0);

    // The first script call after the restart: without reloading the scripts it fails with NOSCRIPT.
    await waitFor(
      'an enqueue accepted',
      async () => {
        await transport.enqueue([spec('after')], 1000);
        return true;
      },
      { timeoutMs: 10_000, intervalMs: 200 },
    );
    await transport.enqueue([spec('delayed', new Date(Date.now() + 300))]);
    expect(await redis.zscore(beeQueueKey(prefix, 'sync_orders', 'delayed'), 'delayed')).not.toBeNull();
    await waitFor('both jobs processed by the worker opened before the restart', () =>
      ['after', 'delayed'].every((id) => processed.includes(id)),
    );
  });
});
