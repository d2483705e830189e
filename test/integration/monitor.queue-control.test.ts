/**
 * Queue control across worker processes: pauseQueue stops every worker taking from that queue (its jobs stay
 * QUEUED while other queues keep running), the pause survives a worker restart and shows in queueStats, resumeQueue
 * starts it again; purgeQueue cancels only waiting jobs (a running one finishes), removes them from Redis and tells
 * live subscribers.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findSyncJobById } from '../../db/queries/sync-job.ts';
import type { SyncJob } from '../../db/types.ts';
import { beeQueueKey } from '../../server/queue/transport.ts';
import { subscribeWs, wsClient } from '../helpers/live.ts';
import {
  createSandboxIntegration,
  gql,
  spawnWorker,
  startTestStack,
  type ChildWorker,
  type TestStack,
} from '../helpers/stack.ts';
import { waitFor, waitForJob } from '../helpers/wait.ts';

let stack: TestStack;
let redis: Redis;
const children: ChildWorker[] = [];
const small = { products: 4, variantsPerProduct: 1, orders: 4, warehouses: 1 };
// Seconds of work: 400 items in batches of 5, 40 ms per platform call.
const slow = { products: 400, variantsPerProduct: 1, orders: 0, latencyMs: 40, pageSize: 50 };

async function spawn(env: Record<string, string> = {}): Promise<ChildWorker> {
  const child = await spawnWorker({ ...stack.env, ...env });
  children.push(child);
  return child;
}

/** This file's jobs live in `stack.db`. */
const until = (id: string, what: (j: SyncJob) => boolean, label: string, timeoutMs?: number) =>
  waitForJob(stack.db, id, what, label, timeoutMs);

async function mutate(field: 'pauseQueue' | 'resumeQueue', name: string): Promise<{ paused: boolean }> {
  const res = await gql<Record<string, { name: string; paused: boolean; changedAt: string }>>(
    stack.url,
    `mutation($name: QueueName!) { ${field}(name: $name) { name paused changedAt } }`,
    { name },
  );
  if (!res.data) throw new Error(JSON.stringify(res.errors));
  return res.data[field]!;
}

/** Waits until every listed worker process reports (in its heartbeat) the queue paused or not. */
async function workersReport(pids: (number | undefined)[], queue: string, paused: boolean): Promise<void> {
  await waitFor(`workers to report ${queue} ${paused ? 'paused' : 'running'}`, async () => {
    const res = await gql<{ workers: { pid: number; queues: { name: string; paused: boolean }[] }[] }>(
      stack.url,
      '{ workers(online: true) { pid queues { name paused } } }',
    );
    return pids.every((pid) =>
      res.data?.workers
        .find((w) => w.pid === pid)
        ?.queues.some((q) => q.name === queue && q.paused === paused),
    );
  });
}

async function pausedInQueueStats(queue: string): Promise<boolean | undefined> {
  const res = await gql<{ queueStats: { queues: { name: string; paused: boolean }[] } }>(
    stack.url,
    '{ queueStats { queues { name paused } } }',
  );
  return res.data?.queueStats.queues.find((q) => q.name === queue)?.paused;
}

beforeAll(async () => {
  stack = await startTestStack();
  redis = new Redis(stack.config.redis.url);
});

afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => c.kill('SIGKILL')));
  await mutate('resumeQueue', 'SYNC_PRODUCTS');
});

afterAll(async () => {
  redis.disconnect();
  await stack.stop();
});

describe('pause and resume', () => {
  it('stops intake on every worker, survives a worker restart, and resumes', async () => {
    const a = await spawn();
    const b = await spawn();
    expect(await mutate('pauseQueue', 'SYNC_PRODUCTS')).toMatchObject({ paused: true });
    await workersReport([a.child.pid, b.child.pid], 'SYNC_PRODUCTS', true);
    expect(await pausedInQueueStats('SYNC_PRODUCTS')).toBe(true);
    expect(await pausedInQueueStats('SYNC_ORDERS')).toBe(false);

    const jobs = stack.api.services.jobs;
    const stores = await Promise.all([1, 2, 3].map(() => createSandboxIntegration(stack.url, small)));
    const products = await Promise.all(
      stores.map(async (integrationId) => (await jobs.create({ integrationId, syncType: 'PRODUCTS' })).job),
    );
    expect(products.every((j) => j.queue === 'sync_products')).toBe(true);
    // Other queues keep running meanwhile, on both workers, twice over.
    for (const round of [1, 2]) {
      const others = await Promise.all(
        stores.flatMap((integrationId) => [
          jobs.create({ integrationId, syncType: 'ORDERS' }),
          jobs.create({ integrationId, syncType: 'INVENTORY' }),
        ]),
      );
      for (const { job } of others) await until(job.id, (j) => j.status === 'COMPLETED', `round ${round}`);
    }
    for (const p of products) {
      expect(await findSyncJobById(stack.db, p.id)).toMatchObject({ status: 'QUEUED', attempts: 0 });
    }

    // A worker that starts while the queue is paused does not take from it either (the pause is in Postgres).
    await b.kill('SIGTERM');
    const c = await spawn();
    await workersReport([a.child.pid, c.child.pid], 'SYNC_PRODUCTS', true);
    const more = await Promise.all(
      stores.map(async (integrationId) => (await jobs.create({ integrationId, syncType: 'ORDERS' })).job),
    );
    for (const job of more) await until(job.id, (j) => j.status === 'COMPLETED', 'orders after the restart');
    for (const p of products) expect((await findSyncJobById(stack.db, p.id))?.status).toBe('QUEUED');

    expect(await mutate('resumeQueue', 'SYNC_PRODUCTS')).toMatchObject({ paused: false });
    for (const p of products) await until(p.id, (j) => j.status === 'COMPLETED', 'products after resume');
    expect(await pausedInQueueStats('SYNC_PRODUCTS')).toBe(false);
    await workersReport([a.child.pid, c.child.pid], 'SYNC_PRODUCTS', false);
  });

  it('a job running when its queue is paused finishes', async () => {
    await spawn();
    const integrationId = await createSandboxIntegration(stack.url, slow);
    const { job } = await stack.api.services.jobs.create({
      integrationId,
      syncType: 'PRODUCTS',
      options: { fullSync: true, batchSize: 5 },
    });
    await until(job.id, (j) => j.status === 'RUNNING' && j.processed_items > 0, 'running');
    await mutate('pauseQueue', 'SYNC_PRODUCTS');
    const done = await until(job.id, (j) => j.status === 'COMPLETED', 'completed while paused');
    expect(done).toMatchObject({ attempts: 1, processed_items: 400 });
  });

  it('queueStatsUpdated pushes a pause and a resume at its next tick (well before the 5 s refresh)', async () => {
    type Figures = { name: string; paused: boolean }[];
    const client = wsClient(stack.url);
    const sub = subscribeWs<Figures>(
      client,
      'subscription { queueStatsUpdated { queues { name paused } } }',
      {},
      (d: { queueStatsUpdated: { queues: Figures } }) => d.queueStatsUpdated.queues,
    );
    const orders = (queues: Figures) => queues.find((q) => q.name === 'SYNC_ORDERS')?.paused;
    try {
      await sub.until('the first stats', (q) => orders(q) === false);
      await mutate('pauseQueue', 'SYNC_ORDERS');
      await sub.until('paused in the stats', (q) => orders(q) === true, 3000);
      const pausedAt = sub.events.findIndex((q) => orders(q) === true);
      await mutate('resumeQueue', 'SYNC_ORDERS');
      await waitFor(
        'resumed in the stats',
        () => sub.events.slice(pausedAt + 1).some((q) => orders(q) === false),
        {
          timeoutMs: 3000,
        },
      );
      expect(sub.errors).toEqual([]);
    } finally {
      await mutate('resumeQueue', 'SYNC_ORDERS');
      await sub.close();
      await client.dispose();
    }
  });

  it('rejects an unknown queue', async () => {
    const res = await gql(stack.url, 'mutation { pauseQueue(name: NOPE) { paused } }');
    expect(res.errors?.[0]?.message).toContain('NOPE');
  });
});

describe('purgeQueue', () => {
  it('cancels the waiting and delayed jobs of the queue, leaves the running one, and publishes the events', async () => {
    await spawn({ WORKER_QUEUE_CONCURRENCY: 'sync_products=1' });
    const jobs = stack.api.services.jobs;
    const other = await createSandboxIntegration(stack.url, small);
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const client = wsClient(stack.url);
    const events = subscribeWs<{ kind: string; job: { id: string; status: string; message: string } }>(
      client,
      'subscription { jobEvents(filter: { status: [CANCELLED] }) { kind job { id status message } } }',
      {},
      (d: { jobEvents: { kind: string; job: { id: string; status: string; message: string } } }) =>
        d.jobEvents,
    );
    try {
      // The subscription has reached the server once the cancel of an unrelated (delayed) job arrives.
      const probes = new Set<string>();
      await waitFor('subscription ready', async () => {
        if (events.errors.length > 0)
          throw new Error(`subscription failed: ${JSON.stringify(events.errors)}`);
        if (events.events.some((e) => probes.has(e.job.id))) return true;
        const probe = (await jobs.create({ integrationId: other, syncType: 'INVENTORY', runAt: later })).job;
        probes.add(probe.id);
        await jobs.cancel(probe.id);
        return undefined;
      });

      const running = (
        await jobs.create({
          integrationId: await createSandboxIntegration(stack.url, slow),
          syncType: 'PRODUCTS',
          options: { fullSync: true, batchSize: 5 },
        })
      ).job;
      await until(running.id, (j) => j.status === 'RUNNING' && j.processed_items > 0, 'running');
      const waiting = await Promise.all(
        [other, await createSandboxIntegration(stack.url, small)].map(
          async (integrationId) => (await jobs.create({ integrationId, syncType: 'PRODUCTS' })).job,
        ),
      );
      const delayed = (await jobs.create({ integrationId: other, syncType: 'PRODUCTS', runAt: later })).job;
      const untouched = (await jobs.create({ integrationId: other, syncType: 'ORDERS', runAt: later })).job;
      const purgedIds = [...waiting, delayed].map((j) => j.id).sort();

      const res = await gql<{ purgeQueue: { queue: string; purged: number; jobIds: string[] } }>(
        stack.url,
        'mutation { purgeQueue(name: SYNC_PRODUCTS) { queue purged jobIds } }',
      );
      expect(res.errors).toBeUndefined();
      expect(res.data?.purgeQueue).toMatchObject({ queue: 'SYNC_PRODUCTS', purged: 3 });
      expect([...res.data!.purgeQueue.jobIds].sort()).toEqual(purgedIds);
      expect((await findSyncJobById(stack.db, running.id))?.status).toBe('RUNNING');

      for (const id of purgedIds) {
        const job = await findSyncJobById(stack.db, id);
        expect(job).toMatchObject({
          status: 'CANCELLED',
          message: 'purged',
          error: { code: 'CANCELLED', message: 'purged' },
        });
        expect(job?.finished_at).not.toBeNull();
        expect(await redis.hexists(beeQueueKey(stack.prefix, 'sync_products', 'jobs'), id)).toBe(0);
      }
      // None of the purged jobs is left waiting (on a loaded machine the running job may be back there after a
      // stall check, which is not the purge's doing).
      const stillWaiting = await redis.lrange(beeQueueKey(stack.prefix, 'sync_products', 'waiting'), 0, -1);
      expect(stillWaiting.filter((id) => purgedIds.includes(id))).toEqual([]);
      expect(await redis.zcard(beeQueueKey(stack.prefix, 'sync_products', 'delayed'))).toBe(0);
      for (const id of purgedIds) {
        await events.until(`CANCELLED event of ${id}`, (e) => e.job.id === id && e.job.message === 'purged');
      }
      expect((await findSyncJobById(stack.db, untouched.id))?.status).toBe('QUEUED');
      const done = await until(running.id, (j) => j.status === 'COMPLETED', 'the running job completes');
      expect(done.processed_items).toBe(400);
      expect(events.errors).toEqual([]);
    } finally {
      await events.close();
      await client.dispose();
    }
  });
});
