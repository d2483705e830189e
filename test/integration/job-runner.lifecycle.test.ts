import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSyncJobById } from '../../db/queries/sync-job.ts';
import type { SyncJob } from '../../db/types.ts';
import { PermanentError, TransientError } from '../../server/errors.ts';
import { scriptedHandlers, runUntilAborted } from '../helpers/handlers.ts';
import { createSandboxIntegration, startTestStack, type TestStack } from '../helpers/stack.ts';
import { waitFor, waitForJob } from '../helpers/wait.ts';

const done = { processed: 1, total: 1, failed: 0 };
const handlers = scriptedHandlers(() => Promise.resolve(done));
let stack: TestStack;
let integrationId: string;

async function create(input: Record<string, unknown> = {}): Promise<SyncJob> {
  const created = await stack.api.services.jobs.create({ integrationId, syncType: 'PRODUCTS', ...input });
  return created.job;
}

/** This file's jobs live in `stack.db`. */
const until = (id: string, what: (j: SyncJob) => boolean, label: string, timeoutMs = 15_000) =>
  waitForJob(stack.db, id, what, label, timeoutMs);

beforeAll(async () => {
  stack = await startTestStack({
    env: {
      JOB_SOFT_TIME_LIMIT: '0.6',
      JOB_TIME_LIMIT: '1.2',
      WORKER_CONCURRENCY: '2',
      WORKER_QUEUE_CONCURRENCY: 'sync_products=1',
    },
    getHandler: handlers.getHandler,
    workers: 1,
  });
  integrationId = await createSandboxIntegration(stack.url, { products: 0, orders: 0 });
});

afterAll(async () => {
  await stack.stop();
});

describe('job lifecycle on a real worker', () => {
  it('QUEUED → RUNNING → COMPLETED with counts, times and the worker recorded', async () => {
    handlers.setScript(async (ctx) => {
      ctx.progress({ processed: 5, total: 10, failed: 1, message: 'half way' });
      return { processed: 10, total: 10, failed: 1, message: 'all done' };
    });
    const job = await create();
    expect(job.status).toBe('QUEUED');
    const finished = await until(job.id, (j) => j.status === 'COMPLETED', 'completion');
    expect(finished).toMatchObject({ processed_items: 10, total_items: 10, failed_items: 1, progress: 100 });
    expect(finished.message).toBe('all done');
    expect(finished.attempts).toBe(1);
    expect(finished.worker_id).toBe(stack.workers[0]!.id);
    expect(finished.started_at!.getTime()).toBeGreaterThanOrEqual(finished.created_at.getTime());
    expect(finished.finished_at!.getTime()).toBeGreaterThanOrEqual(finished.started_at!.getTime());
  });

  it('retries transient errors with backoff and succeeds on a later attempt', async () => {
    handlers.setScript(async (_ctx, call) => {
      if (call < 3) throw new TransientError(`blip ${call}`);
      return done;
    });
    const job = await create();
    const finished = await until(job.id, (j) => j.status === 'COMPLETED', 'completion after retries');
    expect(finished.attempts).toBe(3);
    expect(handlers.calls.get(job.id)).toBe(3);
  });

  it('fails after max attempts of transient errors, keeping the last error', async () => {
    handlers.setScript(async (_ctx, call) => {
      throw new TransientError(`still down ${call}`, 'PLATFORM_UNAVAILABLE');
    });
    const job = await create({ maxAttempts: 2 });
    const failed = await until(job.id, (j) => j.status === 'FAILED', 'failure');
    expect(failed.attempts).toBe(2);
    expect(failed.error).toMatchObject({ code: 'PLATFORM_UNAVAILABLE', message: 'still down 2', attempt: 2 });
    expect(handlers.calls.get(job.id)).toBe(2);
  });

  it('fails a permanent error at once, without retrying', async () => {
    handlers.setScript(async () => {
      throw new PermanentError('credentials rejected', 'AUTH_FAILED');
    });
    const job = await create();
    const failed = await until(job.id, (j) => j.status === 'FAILED', 'failure');
    expect(failed.attempts).toBe(1);
    expect(failed.error).toMatchObject({ code: 'AUTH_FAILED', retryable: false });
    expect(handlers.calls.get(job.id)).toBe(1);
  });

  it('soft time limit aborts the signal and the job fails with SOFT_TIME_LIMIT, not retried', async () => {
    handlers.setScript((ctx) => runUntilAborted(ctx));
    const job = await create();
    const failed = await until(job.id, (j) => j.status === 'FAILED', 'soft limit');
    expect(failed.error?.code).toBe('SOFT_TIME_LIMIT');
    expect(failed.processed_items).toBeGreaterThan(0);
    expect(handlers.calls.get(job.id)).toBe(1);
  });

  it('hard time limit fails the job and frees the slot; the late completion is ignored', async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let lateFinished!: () => void;
    const late = new Promise<void>((r) => (lateFinished = r));
    let hangNext = true;
    handlers.setScript(async () => {
      if (hangNext) {
        hangNext = false;
        // Ignores its signal: only the hard limit can take the slot back.
        await released;
        lateFinished();
        return { processed: 99, total: 99, failed: 0, message: 'late' };
      }
      return done;
    });
    const job = await create();
    const failed = await until(job.id, (j) => j.status === 'FAILED', 'hard limit');
    expect(failed.error?.code).toBe('TIME_LIMIT');
    // sync_products has one slot: the next products job runs only because the hard limit freed it.
    const next = await create();
    expect(next.queue).toBe(job.queue);
    await until(next.id, (j) => j.status === 'COMPLETED', 'next job after hard limit');
    release();
    await late;
    const after = await findSyncJobById(stack.db, job.id);
    expect(after).toMatchObject({ status: 'FAILED', processed_items: failed.processed_items });
    expect(after?.message).not.toBe('late');
  });

  it('cancelling a queued job makes it CANCELLED at once and it never runs', async () => {
    handlers.setScript(async () => done);
    const job = await create({ runAt: new Date(Date.now() + 1500).toISOString() });
    const cancelled = await stack.api.services.jobs.cancel(job.id);
    expect(cancelled.status).toBe('CANCELLED');
    expect(await stack.api.services.jobs.get(job.id)).toMatchObject({ status: 'CANCELLED' });
    // A later job on the same queue, due after the cancelled one would have been, completes; the cancelled one never ran.
    const later = await create({ syncType: 'INVENTORY', runAt: new Date(Date.now() + 1600).toISOString() });
    await until(later.id, (j) => j.status === 'COMPLETED', 'later job');
    expect(handlers.calls.get(job.id)).toBeUndefined();
  });

  it('cancelling a running job stops it at the next checkpoint and keeps its counts', async () => {
    handlers.setScript((ctx) => runUntilAborted(ctx));
    const job = await create({ syncType: 'ORDERS' });
    await until(job.id, (j) => j.status === 'RUNNING' && j.processed_items > 0, 'progress');
    const requested = await stack.api.services.jobs.cancel(job.id);
    expect(requested.status).toBe('RUNNING');
    expect(requested.cancel_requested_at).not.toBeNull();
    const cancelled = await until(job.id, (j) => j.status === 'CANCELLED', 'cancelled');
    expect(cancelled.processed_items).toBeGreaterThan(0);
    expect(cancelled.error?.code).toBe('CANCELLED');
    expect(handlers.calls.get(job.id)).toBe(1);
  });

  it('cancelling a finished job is a clear conflict', async () => {
    handlers.setScript(async () => done);
    const job = await create();
    await until(job.id, (j) => j.status === 'COMPLETED', 'completion');
    await expect(stack.api.services.jobs.cancel(job.id)).rejects.toMatchObject({
      code: 'JOB_ALREADY_FINISHED',
    });
  });

  it('cancel racing start: every job ends in exactly one terminal state, and none completes after a cancel', async () => {
    handlers.setScript(async (ctx) => {
      await delay(30, undefined, { signal: ctx.signal }).catch(() => undefined);
      ctx.signal.throwIfAborted();
      return done;
    });
    const integrations = await Promise.all(
      Array.from({ length: 10 }, () => createSandboxIntegration(stack.url, { products: 0, orders: 0 })),
    );
    const jobs = await stack.api.services.jobs.bulkCreate(
      integrations.flatMap((id) =>
        ['PRODUCTS', 'INVENTORY', 'ORDERS'].map((syncType) => ({ integrationId: id, syncType })),
      ),
    );
    const cancels = await Promise.all(
      jobs.map(({ job }) => stack.api.services.jobs.cancel(job.id).catch((e: unknown) => e)),
    );
    const finals = await Promise.all(
      jobs.map(({ job }) =>
        until(job.id, (j) => ['COMPLETED', 'FAILED', 'CANCELLED'].includes(j.status), 'terminal'),
      ),
    );
    finals.forEach((final, i) => {
      const cancel = cancels[i];
      if (cancel && typeof cancel === 'object' && 'status' in cancel) {
        // The cancel was accepted (queued → cancelled, or running → requested): the job must not complete.
        expect(final.status).toBe('CANCELLED');
        if ((cancel as SyncJob).status === 'CANCELLED') expect(handlers.calls.get(final.id)).toBeUndefined();
      } else {
        // The cancel lost the race to completion.
        expect(cancel).toMatchObject({ code: 'JOB_ALREADY_FINISHED' });
        expect(final.status).toBe('COMPLETED');
      }
      expect(handlers.calls.get(final.id) ?? 0).toBeLessThanOrEqual(1);
    });
  });

  it('cancel racing a retry: a job waiting for its next attempt is cancelled and removed from Redis', async () => {
    handlers.setScript(async () => {
      throw new TransientError('flaky');
    });
    const slow = await startTestStack({
      env: { JOB_RETRY_BACKOFF_MS: '60000' },
      getHandler: handlers.getHandler,
      workers: 1,
    });
    try {
      const id = await createSandboxIntegration(slow.url, { products: 0, orders: 0 });
      const { job } = await slow.api.services.jobs.create({ integrationId: id, syncType: 'PRODUCTS' });
      const waiting = await waitFor('retry scheduled', async () => {
        const j = await findSyncJobById(slow.db, job.id);
        return j?.status === 'QUEUED' && j.attempts === 1 ? j : undefined;
      });
      expect(waiting.run_at!.getTime()).toBeGreaterThan(Date.now());
      const cancelled = await slow.api.services.jobs.cancel(job.id);
      expect(cancelled.status).toBe('CANCELLED');
      const { beeQueueKey } = await import('../../server/queue/transport.ts');
      const { Redis } = await import('ioredis');
      const redis = new Redis(slow.config.redis.url);
      try {
        await waitFor('job removed from the delayed set', async () =>
          (await redis.zscore(beeQueueKey(slow.prefix, job.queue, 'delayed'), job.id)) === null
            ? true
            : undefined,
        );
      } finally {
        redis.disconnect();
      }
      expect(handlers.calls.get(job.id)).toBe(1);
    } finally {
      await slow.stop();
    }
  });
});
