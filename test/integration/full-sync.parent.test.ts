/** A full sync is a parent job whose children do the work; the parent rolls up their progress, outcome and cancel. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSyncJobById } from '../../db/queries/sync-job.ts';
import type { SyncJob } from '../../db/types.ts';
import { PermanentError } from '../../server/errors.ts';
import { beeQueueKey } from '../../server/queue/transport.ts';
import { runUntilAborted, scriptedHandlers } from '../helpers/handlers.ts';
import { subscribeWs, wsClient } from '../helpers/live.ts';
import { createSandboxIntegration, gql, startTestStack, type TestStack } from '../helpers/stack.ts';
import { waitForJob } from '../helpers/wait.ts';

const handlers = scriptedHandlers(async () => ({ processed: 1, total: 1, failed: 0 }));
let stack: TestStack;

/** This file's jobs live in `stack.db`. */
const until = (id: string, what: (j: SyncJob) => boolean, label: string, timeoutMs?: number) =>
  waitForJob(stack.db, id, what, label, timeoutMs);

async function children(parentId: string): Promise<SyncJob[]> {
  return stack.db
    .selectFrom('sync_jobs')
    .selectAll()
    .where('parent_id', '=', parentId)
    .orderBy('sync_type')
    .execute();
}

beforeAll(async () => {
  stack = await startTestStack({ getHandler: handlers.getHandler });
});

afterAll(async () => {
  await stack.stop();
});

describe('full sync as a parent job', () => {
  it('ALL creates a parent and one child per type; the parent rolls up live and completes', async () => {
    handlers.setScript(async (ctx) => {
      const total = { PRODUCTS: 10, INVENTORY: 20, ORDERS: 30 }[ctx.job.sync_type as 'PRODUCTS'] ?? 1;
      ctx.progress({ processed: total / 2, total, failed: 0 });
      return { processed: total, total, failed: 1 };
    });
    const integrationId = await createSandboxIntegration(stack.url, { products: 0, orders: 0 });
    const created = await gql(
      stack.url,
      `mutation($id: ID!) { createSyncJob(input: { integrationId: $id, syncType: ALL }) { job { id childCount status queue } } }`,
      { id: integrationId },
    );
    const parent = created.data.createSyncJob.job;
    expect(parent).toMatchObject({ childCount: 3, status: 'QUEUED' });
    const kids = await children(parent.id);
    expect(kids.map((k) => k.sync_type)).toEqual(['INVENTORY', 'ORDERS', 'PRODUCTS']);
    expect(kids.map((k) => k.queue).sort()).toEqual(['sync_inventory', 'sync_orders', 'sync_products']);

    // Workers never run a parent: Redis does not hold it.
    const { Redis } = await import('ioredis');
    const redis = new Redis(stack.config.redis.url);
    expect(
      await redis.hexists(beeQueueKey(stack.prefix, parent.queue.toLowerCase(), 'jobs'), parent.id),
    ).toBe(0);
    redis.disconnect();

    // Asking again while the parent waits returns it.
    const again = await stack.api.services.jobs.create({ integrationId, syncType: 'ALL' });
    expect(again).toMatchObject({ deduplicated: true, job: { id: parent.id } });

    const client = wsClient(stack.url);
    const sub = subscribeWs(
      client,
      `subscription($id: ID!) { jobUpdated(id: $id) { status processedItems totalItems childrenFinished progress } }`,
      { id: parent.id },
      (d: any) => d.jobUpdated as { status: string; processedItems: number; childrenFinished: number },
    );
    await sub.until('parent snapshot', () => true);
    await stack.startWorker();
    await sub.completed;
    await client.dispose();
    expect(sub.events.some((e) => e.status === 'RUNNING')).toBe(true);
    expect(sub.events.at(-1)).toMatchObject({
      status: 'COMPLETED',
      processedItems: 60,
      totalItems: 60,
      childrenFinished: 3,
      progress: 100,
    });
    const done = await findSyncJobById(stack.db, parent.id);
    expect(done).toMatchObject({
      status: 'COMPLETED',
      failed_items: 3,
      children_finished: 3,
      children_failed: 0,
    });
    expect(done?.started_at).not.toBeNull();
    expect(done?.finished_at).not.toBeNull();
  });

  it('a failed child fails the parent, listing it; retrySyncJob on the parent reruns only the failed child', async () => {
    let ordersFail = true;
    handlers.setScript(async (ctx) => {
      if (ctx.job.sync_type === 'ORDERS' && ordersFail)
        throw new PermanentError('orders endpoint rejected us');
      return { processed: 2, total: 2, failed: 0 };
    });
    const integrationId = await createSandboxIntegration(stack.url, { products: 0, orders: 0 });
    const { job: parent } = await stack.api.services.jobs.create({ integrationId, syncType: 'ALL' });
    const failed = await until(parent.id, (j) => j.status === 'FAILED', 'parent failed');
    const ordersChild = (await children(parent.id)).find((k) => k.sync_type === 'ORDERS')!;
    expect(failed.error).toMatchObject({ code: 'CHILDREN_FAILED', failedChildren: [ordersChild.id] });
    expect(failed).toMatchObject({ children_finished: 3, children_failed: 1 });

    ordersFail = false;
    const retry = await stack.api.services.jobs.retry(parent.id);
    expect(retry.job).toMatchObject({ retry_of: parent.id, child_count: 1 });
    const rerun = await children(retry.job.id);
    expect(rerun.map((k) => k.sync_type)).toEqual(['ORDERS']);
    await until(retry.job.id, (j) => j.status === 'COMPLETED', 'retry parent completed');
  });

  it('cancelling the parent cancels every unfinished child and the parent ends CANCELLED', async () => {
    handlers.setScript((ctx) => runUntilAborted(ctx));
    const integrationId = await createSandboxIntegration(stack.url, { products: 0, orders: 0 });
    const { job: parent } = await stack.api.services.jobs.create({ integrationId, syncType: 'ALL' });
    await until(parent.id, (j) => j.status === 'RUNNING' && j.processed_items > 0, 'parent running');
    const res = await fetch(`${stack.url}/api/sync/jobs/${parent.id}`, { method: 'DELETE' });
    expect([200, 202]).toContain(res.status);
    const cancelled = await until(parent.id, (j) => j.status === 'CANCELLED', 'parent cancelled');
    expect(cancelled.children_finished).toBe(3);
    const kids = await children(parent.id);
    expect(kids.every((k) => k.status === 'CANCELLED')).toBe(true);
    const again = await fetch(`${stack.url}/api/sync/jobs/${parent.id}`, { method: 'DELETE' });
    expect(again.status).toBe(409);
  });
});
