/**
 * Graceful shutdown of a worker process (SIGTERM): a running job finishes within WORKER_SHUTDOWN_GRACE_MS; past the
 * grace period it is handed back to its queue without spending its attempt and another worker completes it. Either
 * way nothing is left RUNNING.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findSyncJobById, listSyncJobEvents } from '../../db/queries/sync-job.ts';
import { HANDED_BACK_MESSAGE } from '../../db/queries/sync-job.ts';
import type { SyncJob } from '../../db/types.ts';
import { beeQueueKey } from '../../server/queue/transport.ts';
import {
  createSandboxIntegration,
  spawnWorker,
  startTestStack,
  type ChildWorker,
  type TestStack,
} from '../helpers/stack.ts';
import { waitForJob } from '../helpers/wait.ts';

let stack: TestStack;
let redis: Redis;
const children: ChildWorker[] = [];
// 240 items in batches of 5, 30 ms per platform call: a few seconds of work, checking its signal between batches.
const slowStore = { products: 120, variantsPerProduct: 2, orders: 0, latencyMs: 30, pageSize: 50 };
// 500 items, 80 ms per call: long enough to still be running after another worker process has started, even
// when a loaded machine takes seconds to start one.
const longStore = { products: 250, variantsPerProduct: 2, orders: 0, latencyMs: 80, pageSize: 100 };

async function spawn(env: Record<string, string> = {}): Promise<ChildWorker> {
  const child = await spawnWorker({ ...stack.env, ...env });
  children.push(child);
  return child;
}

/** This file's jobs live in `stack.db`. */
const until = (id: string, what: (j: SyncJob) => boolean, label: string, timeoutMs = 30_000) =>
  waitForJob(stack.db, id, what, label, timeoutMs);

async function slowJob(store: Record<string, number> = slowStore): Promise<SyncJob> {
  const integrationId = await createSandboxIntegration(stack.url, store);
  const { job } = await stack.api.services.jobs.create({
    integrationId,
    syncType: 'PRODUCTS',
    options: { fullSync: true, batchSize: 5 },
  });
  return job;
}

beforeAll(async () => {
  stack = await startTestStack();
  redis = new Redis(stack.config.redis.url);
});

afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => c.kill('SIGKILL')));
});

afterAll(async () => {
  redis.disconnect();
  await stack.stop();
});

describe('SIGTERM on a worker', () => {
  it('lets a running job finish within the grace period, then exits', async () => {
    const worker = await spawn({ WORKER_SHUTDOWN_GRACE_MS: '60000' });
    const job = await slowJob();
    await until(job.id, (j) => j.status === 'RUNNING' && j.processed_items > 0, 'running with progress');
    const code = await worker.kill('SIGTERM');
    expect(code).toBe(0);
    const done = await findSyncJobById(stack.db, job.id);
    expect(done).toMatchObject({ status: 'COMPLETED', attempts: 1, processed_items: 240 });
    expect(done?.worker_id).toContain(`:${worker.child.pid}:`);
    expect(worker.output()).not.toContain('handing them back');
  });

  it('past the grace period, hands the job back unspent; it waits QUEUED, and the next worker completes it', async () => {
    const first = await spawn({ WORKER_SHUTDOWN_GRACE_MS: '300' });
    const job = await slowJob(longStore);
    await until(job.id, (j) => j.status === 'RUNNING' && j.processed_items > 0, 'running with progress');
    expect(await first.kill('SIGTERM')).toBe(0);

    // Nothing RUNNING: the row is back in its queue with the attempt given back, and Redis holds it, first in line.
    const handedBack = await findSyncJobById(stack.db, job.id);
    expect(handedBack).toMatchObject({
      status: 'QUEUED',
      attempts: 0,
      worker_id: null,
      message: HANDED_BACK_MESSAGE,
    });
    expect(handedBack?.processed_items).toBeGreaterThan(0);
    expect(await redis.lrange(beeQueueKey(stack.prefix, 'sync_products', 'waiting'), -1, -1)).toEqual([
      job.id,
    ]);
    expect(await redis.llen(beeQueueKey(stack.prefix, 'sync_products', 'active'))).toBe(0);
    expect(first.output()).toContain('job handed back to its queue');

    const second = await spawn();
    const done = await until(job.id, (j) => j.status === 'COMPLETED', 'completed by the next worker');
    expect(done).toMatchObject({ attempts: 1, processed_items: 500 });
    expect(done.worker_id).toContain(`:${second.child.pid}:`);
    const kinds = (await listSyncJobEvents(stack.db, job.id)).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['STARTED', 'RETRYING', 'COMPLETED']));
  });

  it('with another worker running, the handed-back job is taken over at once and completed', async () => {
    const first = await spawn({ WORKER_SHUTDOWN_GRACE_MS: '300' });
    const job = await slowJob(longStore);
    await until(
      job.id,
      (j) => j.status === 'RUNNING' && j.processed_items > 0,
      'running on the first worker',
    );
    const second = await spawn();
    const before = await findSyncJobById(stack.db, job.id);
    expect(before?.status).toBe('RUNNING');
    expect(await first.kill('SIGTERM')).toBe(0);
    const exitedAt = Date.now();
    const row = await findSyncJobById(stack.db, job.id);
    // Never left RUNNING on the stopped worker.
    expect(row?.status === 'RUNNING' && row.worker_id?.includes(`:${first.child.pid}:`)).toBe(false);
    const resumed = await until(
      job.id,
      (j) => j.status !== 'QUEUED' && (j.worker_id?.includes(`:${second.child.pid}:`) ?? false),
      'taken over by the second worker',
    );
    // Taken from the head of the queue, not after a stall interval.
    expect(Date.now() - exitedAt).toBeLessThan(3000);
    expect(resumed.attempts).toBe(1);
    const done = await until(job.id, (j) => j.status === 'COMPLETED', 'completed by the second worker');
    expect(done).toMatchObject({ attempts: 1, processed_items: 500 });
  });
});
