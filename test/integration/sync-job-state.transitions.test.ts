/** The state machine's guarded transitions, straight against Postgres. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cancelQueuedSyncJob,
  finishSyncJob,
  insertSyncJobs,
  promoteQueuedSyncJob,
  recoverLostSyncJob,
  requestSyncJobCancel,
  requeueSyncJobForRetry,
  settleUnstartableSyncJob,
  startSyncJob,
  updateSyncJobProgress,
} from '../../db/queries/sync-job.ts';
import type { NewSyncJob, SyncJob } from '../../db/types.ts';
import {
  createTestDatabase,
  insertSandboxIntegration,
  queuedJobRow,
  type TestDatabase,
} from '../helpers/db.ts';

let t: TestDatabase;
let integrationId: string;
const counts = { processed: 3, total: 10, failed: 1 };
const err = { code: 'X', message: 'boom' };

function jobRow(overrides: Partial<NewSyncJob> = {}): NewSyncJob {
  return queuedJobRow(integrationId, overrides);
}

async function newJob(overrides: Partial<NewSyncJob> = {}): Promise<SyncJob> {
  const [job] = await insertSyncJobs(t.db, [jobRow(overrides)]);
  return job!;
}

beforeAll(async () => {
  t = await createTestDatabase();
  integrationId = await insertSandboxIntegration(t.db);
});

afterAll(async () => {
  await t.drop();
});

describe('sync job state machine', () => {
  it('start claims a queued job once per delivery queue, counting attempts and clearing the dedup key', async () => {
    const job = await newJob({ dedup_key: `${integrationId}:PRODUCTS` });
    expect(await startSyncJob(t.db, job.id, 'sync_bulk', 'w1')).toBeUndefined(); // stale queue
    const running = await startSyncJob(t.db, job.id, 'sync_products', 'w1');
    expect(running?.job).toMatchObject({ status: 'RUNNING', attempts: 1, worker_id: 'w1', dedup_key: null });
    // The job's integration comes with the claim, in the same round trip.
    expect(running?.integration).toMatchObject({ id: integrationId, platform: 'SANDBOX', enabled: true });
    expect(running?.integration?.created_at).toBeInstanceOf(Date);
    // A stall re-delivery takes over with the next attempt; the first attempt's writes no longer land.
    const takeover = await startSyncJob(t.db, job.id, 'sync_products', 'w2');
    expect(takeover?.job).toMatchObject({ attempts: 2, worker_id: 'w2' });
    expect(await updateSyncJobProgress(t.db, job.id, 1, counts)).toBeUndefined();
    expect(await finishSyncJob(t.db, job.id, 1, { status: 'COMPLETED', counts })).toBeUndefined();
    // Attempts spent: a third delivery cannot start.
    expect(await startSyncJob(t.db, job.id, 'sync_products', 'w3')).toBeUndefined();
    const done = await finishSyncJob(t.db, job.id, 2, { status: 'COMPLETED', counts, result: { ok: true } });
    expect(done).toMatchObject({
      status: 'COMPLETED',
      progress: 100,
      processed_items: 3,
      result: { ok: true },
    });
    expect(done?.finished_at).not.toBeNull();
  });

  it('a parent is never claimed, and neither is a delivery ahead of its run_at', async () => {
    const parent = await newJob({ child_count: 3, sync_type: 'ALL', queue: 'sync_bulk' });
    expect(await startSyncJob(t.db, parent.id, 'sync_bulk', 'w')).toBeUndefined();
    const later = await newJob({ run_at: new Date(Date.now() + 60_000) });
    expect(await startSyncJob(t.db, later.id, 'sync_products', 'w')).toBeUndefined();
    const due = await newJob({ run_at: new Date(Date.now() - 1000) });
    expect((await startSyncJob(t.db, due.id, 'sync_products', 'w'))?.job.status).toBe('RUNNING');
  });

  it('finished jobs cannot move again', async () => {
    const job = await newJob();
    await startSyncJob(t.db, job.id, 'sync_products', 'w');
    await finishSyncJob(t.db, job.id, 1, { status: 'FAILED', counts, error: err });
    expect(await cancelQueuedSyncJob(t.db, job.id, 'no')).toBeUndefined();
    expect(await requestSyncJobCancel(t.db, job.id)).toBeUndefined();
    expect(
      await requeueSyncJobForRetry(t.db, job.id, 1, { runAt: new Date(), error: err, counts }),
    ).toBeUndefined();
    expect(await startSyncJob(t.db, job.id, 'sync_products', 'w')).toBeUndefined();
    expect(await finishSyncJob(t.db, job.id, 1, { status: 'COMPLETED', counts })).toBeUndefined();
  });

  it('cancel of a queued job wins over a later start; a running job only gets the request', async () => {
    const queued = await newJob({ dedup_key: 'k-cancel' });
    expect(await cancelQueuedSyncJob(t.db, queued.id, 'by test')).toMatchObject({
      status: 'CANCELLED',
      dedup_key: null,
    });
    expect(await startSyncJob(t.db, queued.id, 'sync_products', 'w')).toBeUndefined();

    const running = await newJob();
    await startSyncJob(t.db, running.id, 'sync_products', 'w');
    expect(await cancelQueuedSyncJob(t.db, running.id, 'by test')).toBeUndefined();
    const requested = await requestSyncJobCancel(t.db, running.id);
    expect(requested).toMatchObject({ status: 'RUNNING' });
    expect(requested?.cancel_requested_at).not.toBeNull();
    // The progress write tells the holder about the pending cancel.
    const progress = await updateSyncJobProgress(t.db, running.id, 1, counts);
    expect(progress?.cancel_requested_at).not.toBeNull();
  });

  it('an accepted cancel wins over a completion that raced it; counts and result are kept', async () => {
    const job = await newJob();
    await startSyncJob(t.db, job.id, 'sync_products', 'w');
    await requestSyncJobCancel(t.db, job.id);
    const done = await finishSyncJob(t.db, job.id, 1, { status: 'COMPLETED', counts, result: { ok: 1 } });
    expect(done).toMatchObject({
      status: 'CANCELLED',
      processed_items: 3,
      result: { ok: 1 },
      error: { code: 'CANCELLED' },
    });
  });

  it('a retry becomes CANCELLED when a cancel arrived during the attempt', async () => {
    const plain = await newJob();
    await startSyncJob(t.db, plain.id, 'sync_products', 'w');
    const retry = await requeueSyncJobForRetry(t.db, plain.id, 1, { runAt: new Date(), error: err, counts });
    expect(retry).toMatchObject({ status: 'QUEUED', attempts: 1, processed_items: 3 });
    expect((await startSyncJob(t.db, plain.id, 'sync_products', 'w'))?.job).toMatchObject({ attempts: 2 });

    const cancelled = await newJob();
    await startSyncJob(t.db, cancelled.id, 'sync_products', 'w');
    await requestSyncJobCancel(t.db, cancelled.id);
    const result = await requeueSyncJobForRetry(t.db, cancelled.id, 1, {
      runAt: new Date(),
      error: err,
      counts,
    });
    expect(result).toMatchObject({ status: 'CANCELLED' });
    expect(result?.finished_at).not.toBeNull();
  });

  it('a delivery that cannot start settles lost or cancelled running jobs, and leaves others alone', async () => {
    const spent = await newJob({ max_attempts: 1 });
    await startSyncJob(t.db, spent.id, 'sync_products', 'dead');
    expect(await settleUnstartableSyncJob(t.db, spent.id, 'sync_bulk')).toBeUndefined(); // stale queue
    expect(await settleUnstartableSyncJob(t.db, spent.id, 'sync_products')).toMatchObject({
      status: 'FAILED',
      error: { code: 'WORKER_LOST' },
    });

    const cancelRequested = await newJob();
    await startSyncJob(t.db, cancelRequested.id, 'sync_products', 'dead');
    await requestSyncJobCancel(t.db, cancelRequested.id);
    expect(await settleUnstartableSyncJob(t.db, cancelRequested.id, 'sync_products')).toMatchObject({
      status: 'CANCELLED',
    });

    const healthy = await newJob();
    await startSyncJob(t.db, healthy.id, 'sync_products', 'alive');
    expect(await settleUnstartableSyncJob(t.db, healthy.id, 'sync_products')).toBeUndefined();
  });

  it('recovering a lost attempt requeues it, or fails it when attempts are spent', async () => {
    const job = await newJob();
    await startSyncJob(t.db, job.id, 'sync_products', 'dead');
    expect(await recoverLostSyncJob(t.db, job.id, 1)).toMatchObject({
      status: 'QUEUED',
      error: { code: 'WORKER_LOST' },
    });
    await startSyncJob(t.db, job.id, 'sync_products', 'dead-again');
    expect(await recoverLostSyncJob(t.db, job.id, 1)).toBeUndefined(); // stale attempt number
    expect(await recoverLostSyncJob(t.db, job.id, 2)).toMatchObject({ status: 'FAILED' });
  });

  it('promotion moves only waiting jobs', async () => {
    const job = await newJob();
    expect(await promoteQueuedSyncJob(t.db, job.id, 'URGENT', 'urgent')).toMatchObject({
      priority: 'URGENT',
      queue: 'urgent',
    });
    await startSyncJob(t.db, job.id, 'urgent', 'w');
    expect(await promoteQueuedSyncJob(t.db, job.id, 'HIGH', 'high_priority')).toBeUndefined();
  });

  it('the dedup key admits one waiting job per key; a second insert is skipped, not an error', async () => {
    await newJob({ dedup_key: 'same' });
    expect(await insertSyncJobs(t.db, [jobRow({ dedup_key: 'same' })])).toHaveLength(0);
  });
});
