/**
 * Postgres is the record: a job recorded while Redis could not take it, or lost from Redis later, still runs —
 * exactly once, because its Redis id is its job id.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSyncJobById } from '../../db/queries/sync-job.ts';
import { loadConfig } from '../../server/config.ts';
import { createJobEventPublisher } from '../../server/events/job-events.ts';
import { buildApiApp } from '../../server/http/app.ts';
import { createLogger } from '../../server/logger.ts';
import { beeQueueKey, createQueueTransport, openBeeQueues } from '../../server/queue/transport.ts';
import { createReconciler } from '../../server/worker/reconciler.ts';
import { scriptedHandlers } from '../helpers/handlers.ts';
import { createSandboxIntegration, startTestStack, type TestStack } from '../helpers/stack.ts';
import { waitFor } from '../helpers/wait.ts';

const handlers = scriptedHandlers(async () => ({ processed: 1, total: 1, failed: 0 }));
const log = createLogger({ name: 'test', level: 'silent' });
let stack: TestStack;
let redis: Redis;
let reconciler: ReturnType<typeof createReconciler>;
let closeTransport: () => Promise<void>;

beforeAll(async () => {
  stack = await startTestStack({ getHandler: handlers.getHandler });
  redis = new Redis(stack.config.redis.url);
  const transport = createQueueTransport(
    () => openBeeQueues({ redisUrl: stack.config.redis.url, prefix: stack.prefix, log }),
    redis,
    stack.prefix,
  );
  closeTransport = () => transport.close();
  reconciler = createReconciler({
    db: stack.db,
    redis,
    transport,
    events: createJobEventPublisher(redis, stack.prefix),
    config: loadConfig({ ...stack.env, RECONCILE_GRACE_MS: '0' }),
    log,
  });
});

afterAll(async () => {
  await closeTransport();
  redis.disconnect();
  await stack.stop();
});

async function completed(id: string) {
  return waitFor('completion', async () => {
    const j = await findSyncJobById(stack.db, id);
    return j?.status === 'COMPLETED' ? j : undefined;
  });
}

describe('reconciler', () => {
  it('a waiting duplicate asked for at higher priority is promoted, not queued twice', async () => {
    const integrationId = await createSandboxIntegration(stack.url, { products: 0, orders: 0 });
    const { job } = await stack.api.services.jobs.create({
      integrationId,
      syncType: 'PRODUCTS',
      runAt: new Date(Date.now() - 1000).toISOString(),
      priority: 'LOW',
    });
    expect(job.queue).toBe('default');
    const [quick] = await stack.api.services.jobs.quickSync({ integrationId, syncTypes: ['PRODUCTS'] });
    expect(quick).toMatchObject({
      deduplicated: true,
      job: { id: job.id, priority: 'HIGH', queue: 'high_priority' },
    });
    await stack.startWorker();
    await completed(job.id);
    expect(handlers.calls.get(job.id)).toBe(1);
  });

  it('a job created while Redis is unreachable is recorded, then enqueued and run once Redis is back', async () => {
    const integrationId = await createSandboxIntegration(stack.url, { products: 0, orders: 0 });
    // An API whose Redis is down: nothing listens on port 1.
    const offline = buildApiApp({
      config: loadConfig({ ...stack.env, REDIS_URL: 'redis://127.0.0.1:1/0' }),
      db: stack.db,
      log,
    });
    const started = Date.now();
    const { job } = await offline.services.jobs.create({ integrationId, syncType: 'ORDERS' });
    expect(Date.now() - started).toBeLessThan(2000);
    await offline.stop();
    expect(job.status).toBe('QUEUED');
    expect(await redis.hexists(beeQueueKey(stack.prefix, job.queue, 'jobs'), job.id)).toBe(0);

    const report = await reconciler.runOnce();
    expect(report.requeued).toBeGreaterThanOrEqual(1);
    expect(await redis.hexists(beeQueueKey(stack.prefix, job.queue, 'jobs'), job.id)).toBe(1);
    const done = await completed(job.id);
    expect(done.attempts).toBe(1);
    expect(handlers.calls.get(job.id)).toBe(1);
  });

  it('re-enqueues jobs lost from Redis (flushed) and never double-enqueues ones it still holds', async () => {
    const integrationId = await createSandboxIntegration(stack.url, { products: 0, orders: 0 });
    const { job } = await stack.api.services.jobs.create({
      integrationId,
      syncType: 'PRODUCTS',
      runAt: new Date(Date.now() + 800).toISOString(),
    });
    // Running the reconciler while Redis holds the job changes nothing.
    expect((await reconciler.runOnce()).requeued).toBe(0);
    await redis.del(beeQueueKey(stack.prefix, job.queue, 'jobs'));
    await redis.zrem(beeQueueKey(stack.prefix, job.queue, 'delayed'), job.id);
    const report = await reconciler.runOnce();
    expect(report.requeued).toBe(1);
    expect((await reconciler.runOnce()).requeued).toBe(0);
    await completed(job.id);
    expect(handlers.calls.get(job.id)).toBe(1);
  });

  it('a RUNNING job whose worker vanished and which Redis no longer holds goes back to the queue', async () => {
    const integrationId = await createSandboxIntegration(stack.url, { products: 0, orders: 0 });
    const { job } = await stack.api.services.jobs.create({
      integrationId,
      syncType: 'INVENTORY',
      runAt: new Date(Date.now() + 60_000).toISOString(),
    });
    await redis.del(beeQueueKey(stack.prefix, job.queue, 'jobs'));
    await redis.zrem(beeQueueKey(stack.prefix, job.queue, 'delayed'), job.id);
    // As left by a worker that died and whose Redis state was lost: RUNNING, attempt 1, heartbeat long ago.
    await stack.db
      .updateTable('sync_jobs')
      .set({
        status: 'RUNNING',
        attempts: 1,
        run_at: null,
        heartbeat_at: new Date(Date.now() - 3_600_000),
        worker_id: 'gone',
      })
      .where('id', '=', job.id)
      .execute();
    const report = await reconciler.runOnce();
    expect(report.recovered).toBe(1);
    const done = await completed(job.id);
    expect(done.attempts).toBe(2);
  });
});
