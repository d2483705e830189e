/** Urgent work has capacity of its own: it starts at once while thousands of bulk jobs wait. */
import { setTimeout as delay } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { findSyncJobById } from '../../db/queries/sync-job.ts';
import { scriptedHandlers } from '../helpers/handlers.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';
import { waitFor } from '../helpers/wait.ts';

const handlers = scriptedHandlers(async (ctx) => {
  // Bulk work is slow; anything else is instant.
  if (ctx.job.queue === 'sync_bulk')
    await delay(100, undefined, { signal: ctx.signal }).catch(() => undefined);
  return { processed: 1, total: 1, failed: 0 };
});
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({
    env: { WORKER_CONCURRENCY: '2' },
    getHandler: handlers.getHandler,
    workers: 1,
  });
});

afterAll(async () => {
  await stack.stop();
});

it('an urgent job starts within a second while 2,000 bulk jobs wait', async () => {
  const { rows } = await sql<{ id: string }>`
    INSERT INTO integrations (name, platform, settings)
    SELECT 'bulk ' || g, 'SANDBOX', '{"products":0,"orders":0}'::jsonb FROM generate_series(1, 501) g
    RETURNING id`.execute(stack.db);
  const [urgentIntegration, ...bulkIntegrations] = rows.map((r) => r.id);
  const entries = bulkIntegrations.flatMap((integrationId) =>
    ['PRODUCTS', 'INVENTORY', 'ORDERS', 'ALL'].map((syncType) => ({ integrationId, syncType })),
  );
  for (let i = 0; i < entries.length; i += 1000) {
    const created = await stack.api.services.jobs.bulkCreate(entries.slice(i, i + 1000));
    expect(created.every((c) => c.job.queue === 'sync_bulk' && !c.deduplicated)).toBe(true);
  }
  await waitFor('bulk queue saturated', async () => {
    const stats = await stack.api.services.jobs.stats();
    const bulk = stats.queues.find((q) => q.name === 'sync_bulk')!;
    return bulk.active === 2 ? bulk : undefined;
  });

  const { job } = await stack.api.services.jobs.create({
    integrationId: urgentIntegration,
    syncType: 'INVENTORY',
    priority: 'URGENT',
  });
  expect(job.queue).toBe('urgent');
  const started = await waitFor('urgent job started', async () => {
    const j = await findSyncJobById(stack.db, job.id);
    return j?.started_at ? j : undefined;
  });
  const pickupMs = started.started_at!.getTime() - started.created_at.getTime();
  expect(pickupMs).toBeLessThan(1000);

  const stats = await stack.api.services.jobs.stats();
  expect(stats.queues.find((q) => q.name === 'sync_bulk')!.waiting).toBeGreaterThan(1500);
});
