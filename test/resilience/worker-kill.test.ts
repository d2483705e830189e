/**
 * A worker process killed with SIGKILL while 8 jobs run and 1,000 wait: another worker takes the 8 over through
 * Bee-Queue's stall check and runs everything; no job is lost, none completes twice, none is left RUNNING.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beeQueueKey } from '../../server/queue/transport.ts';
import { waitFor } from '../helpers/wait.ts';
import {
  finishedRuns,
  outcomes,
  sandboxIntegration,
  startOutageStack,
  unfinished,
  type OutageStack,
} from './outage-stack.ts';

let stack: OutageStack;

beforeAll(async () => {
  stack = await startOutageStack();
});

afterAll(async () => {
  await stack?.stop();
});

describe('kill -9 of a worker with 1,000 jobs queued and 8 running', () => {
  it('a second worker takes over: every job ends COMPLETED exactly once, the 8 as their second attempt', async () => {
    const first = await stack.spawnWorker({ WORKER_QUEUE_CONCURRENCY: 'sync_bulk=8' });
    // Slow stores (several seconds per job) for the 8 that will be running; a tiny one for the 1,000.
    const slow = await Promise.all(
      Array.from({ length: 8 }, () =>
        sandboxIntegration(stack, {
          products: 100,
          variantsPerProduct: 1,
          orders: 0,
          // About 10 s per job, so none ends before the 1,000 are waiting, even on a loaded machine.
          latencyMs: 400,
          pageSize: 20,
        }),
      ),
    );
    const fast = await sandboxIntegration(stack, {
      products: 2,
      variantsPerProduct: 1,
      orders: 0,
      latencyMs: 0,
    });
    const jobs = stack.api.services.jobs;
    const running = await jobs.bulkCreate(
      slow.map((integrationId) => ({
        integrationId,
        syncType: 'PRODUCTS',
        options: { fullSync: true, batchSize: 5 },
      })),
    );
    const runningIds = running.map((c) => c.job.id);
    await waitFor('8 jobs running with progress in the first worker', async () => {
      const rows = await outcomes(stack.db, runningIds);
      return [...rows.values()].every(
        (o) =>
          o.job.status === 'RUNNING' &&
          o.job.processed_items > 0 &&
          o.job.worker_id?.includes(`:${first.child.pid}:`),
      );
    });

    // Due in two seconds (a job due later gets no dedup key, so the 1,000 stay apart): then they wait behind the 8.
    const runAt = new Date(Date.now() + 2000).toISOString();
    const queued = await jobs.bulkCreate(
      Array.from({ length: 1000 }, () => ({ integrationId: fast, syncType: 'PRODUCTS', runAt })),
    );
    const queuedIds = queued.map((c) => c.job.id);
    expect(new Set(queuedIds).size).toBe(1000);
    const redis = new Redis(stack.redis.url);
    try {
      await waitFor(
        '1,000 jobs waiting in Redis',
        async () => {
          return (await redis.llen(beeQueueKey(stack.env.REDIS_PREFIX!, 'sync_bulk', 'waiting'))) === 1000;
        },
        { timeoutMs: 45_000, intervalMs: 100 },
      );
      expect(await redis.llen(beeQueueKey(stack.env.REDIS_PREFIX!, 'sync_bulk', 'active'))).toBe(8);
    } finally {
      redis.disconnect();
    }

    await first.kill('SIGKILL');
    const killedAt = Date.now();
    const second = await stack.spawnWorker({ WORKER_QUEUE_CONCURRENCY: 'sync_bulk=16' });
    const all = [...runningIds, ...queuedIds];
    await waitFor('every job finished', async () => (await unfinished(stack.db, all)) === 0, {
      timeoutMs: 100_000,
      intervalMs: 250,
    });
    const elapsed = Date.now() - killedAt;

    const record = await outcomes(stack.db, all);
    expect(record.size).toBe(1008);
    for (const [id, { job, kinds }] of record) {
      expect({ id, status: job.status }).toEqual({ id, status: 'COMPLETED' });
      expect({ id, completed: kinds.COMPLETED }).toEqual({ id, completed: 1 });
      expect({ id, started: kinds.STARTED }).toEqual({ id, started: job.attempts });
    }
    for (const id of runningIds) {
      const { job } = record.get(id)!;
      expect(job.attempts).toBe(2);
      expect(job.worker_id).toContain(`:${second.child.pid}:`);
      expect(job.processed_items).toBe(100);
    }
    for (const id of queuedIds) expect(record.get(id)!.job.attempts).toBe(1);
    // The killed attempts never reached the end of the handler; the second ones did, once each.
    const runs = await waitFor('the second attempts’ log lines', async () => {
      const r = await finishedRuns(stack.db, runningIds);
      return r.size === 8 ? r : undefined;
    });
    for (const attempts of runs.values()) expect(attempts).toEqual([2]);
    // About 10 s on an idle two-core machine; the bound leaves room for a busy one.
    expect(elapsed).toBeLessThan(100_000);
  }, 150_000);
});
