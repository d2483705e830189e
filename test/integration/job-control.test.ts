/** Retry, reschedule and the job timeline, over GraphQL and REST, with a real worker. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncJob } from '../../db/types.ts';
import { TransientError } from '../../server/errors.ts';
import { runUntilAborted, scriptedHandlers } from '../helpers/handlers.ts';
import { createSandboxIntegration, gql, startTestStack, type TestStack } from '../helpers/stack.ts';
import { waitForJob } from '../helpers/wait.ts';

const handlers = scriptedHandlers(async () => ({ processed: 1, total: 1, failed: 0 }));
let stack: TestStack;
let integrationId: string;

/** This file's jobs live in `stack.db`. */
const until = (id: string, what: (j: SyncJob) => boolean, label: string, timeoutMs?: number) =>
  waitForJob(stack.db, id, what, label, timeoutMs);

async function rest(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${stack.url}${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  stack = await startTestStack({ getHandler: handlers.getHandler, workers: 1 });
  integrationId = await createSandboxIntegration(stack.url, { products: 0, orders: 0 });
});

afterAll(async () => {
  await stack.stop();
});

describe('retry', () => {
  it('retrySyncJob runs a failed job again as a new job linked to it; a completed job cannot be retried', async () => {
    handlers.setScript(async (_ctx, call) => {
      if (call === 1) throw new TransientError('down');
      return { processed: 1, total: 1, failed: 0 };
    });
    const { job } = await stack.api.services.jobs.create({
      integrationId,
      syncType: 'ORDERS',
      maxAttempts: 1,
    });
    await until(job.id, (j) => j.status === 'FAILED', 'failure');
    handlers.setScript(async () => ({ processed: 1, total: 1, failed: 0 }));

    const result = await gql(
      stack.url,
      `mutation($id: ID!) { retrySyncJob(id: $id) { deduplicated job { id retryOf status syncType maxAttempts } } }`,
      {
        id: job.id,
      },
    );
    const retry = result.data.retrySyncJob.job;
    expect(retry).toMatchObject({ retryOf: job.id, syncType: 'ORDERS', maxAttempts: 1 });
    expect(retry.id).not.toBe(job.id);
    await until(retry.id, (j) => j.status === 'COMPLETED', 'retry completes');

    const again = await rest('POST', `/api/sync/jobs/${retry.id}/retry`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('JOB_STATE_CONFLICT');
  });

  it('REST retry of a cancelled job answers 201 with retry_of', async () => {
    const { job } = await stack.api.services.jobs.create({
      integrationId,
      syncType: 'INVENTORY',
      runAt: new Date(Date.now() + 60_000).toISOString(),
    });
    await stack.api.services.jobs.cancel(job.id);
    const res = await rest('POST', `/api/sync/jobs/${job.id}/retry`);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ retry_of: job.id, sync_type: 'inventory' });
    await until(res.body.id, (j) => j.status === 'COMPLETED', 'retry completes');
  });
});

describe('reschedule', () => {
  it('moves a waiting job earlier or later; it starts at the new time, not the old one', async () => {
    const later = new Date(Date.now() + 60_000);
    const { job } = await stack.api.services.jobs.create({
      integrationId,
      syncType: 'PRODUCTS',
      runAt: later.toISOString(),
    });
    const soon = new Date(Date.now() + 300);
    const moved = await gql(
      stack.url,
      `mutation($id: ID!, $at: DateTime!) { rescheduleSyncJob(id: $id, runAt: $at) { job { id runAt status } } }`,
      {
        id: job.id,
        at: soon.toISOString(),
      },
    );
    expect(moved.data.rescheduleSyncJob.job).toMatchObject({
      id: job.id,
      status: 'QUEUED',
      runAt: soon.toISOString(),
    });
    const done = await until(job.id, (j) => j.status === 'COMPLETED', 'completes at the new time');
    expect(done.started_at!.getTime()).toBeLessThan(later.getTime() - 30_000);

    const { job: early } = await stack.api.services.jobs.create({
      integrationId,
      syncType: 'ORDERS',
      runAt: new Date(Date.now() + 400).toISOString(),
    });
    const pushedTo = new Date(Date.now() + 2500);
    const res = await rest('POST', `/api/sync/jobs/${early.id}/reschedule`, {
      run_at: pushedTo.toISOString(),
    });
    expect(res.status).toBe(200);
    const ran = await until(early.id, (j) => j.status === 'COMPLETED', 'completes after the later time');
    // The original 400 ms delivery was skipped; only the rescheduled one ran (start guard allows 1 s of clock slack).
    expect(ran.started_at!.getTime()).toBeGreaterThanOrEqual(pushedTo.getTime() - 1000);
    expect(handlers.calls.get(early.id)).toBe(1);
  });

  it('a running or completed job cannot be rescheduled; bad times are validation errors', async () => {
    const { job } = await stack.api.services.jobs.create({ integrationId, syncType: 'PRODUCTS' });
    await until(job.id, (j) => j.status === 'COMPLETED', 'completion');
    const res = await rest('POST', `/api/sync/jobs/${job.id}/reschedule`, {
      run_at: new Date().toISOString(),
    });
    expect(res.status).toBe(409);
    const bad = await rest('POST', `/api/sync/jobs/${job.id}/reschedule`, { run_at: 'tomorrow-ish' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('timeline', () => {
  it('records created, started, retrying, cancel requested and the end, over GraphQL and REST', async () => {
    handlers.setScript(async (ctx, call) => {
      if (call === 1) throw new TransientError('first attempt fails');
      return runUntilAborted(ctx);
    });
    const { job } = await stack.api.services.jobs.create({
      integrationId,
      syncType: 'PRODUCTS',
      options: { batchSize: 7 },
    });
    await until(
      job.id,
      (j) => j.status === 'RUNNING' && j.attempts === 2 && j.processed_items > 0,
      'second attempt running',
    );
    await stack.api.services.jobs.cancel(job.id);
    await until(job.id, (j) => j.status === 'CANCELLED', 'cancelled');

    const result = await gql(
      stack.url,
      `query($id: ID!) { job(id: $id) { events { kind status attempt message error { code } } } }`,
      {
        id: job.id,
      },
    );
    const kinds = (result.data.job.events as { kind: string }[]).map((e) => e.kind);
    expect(kinds.filter((k) => k !== 'PROGRESS')).toEqual([
      'CREATED',
      'STARTED',
      'RETRYING',
      'STARTED',
      'CANCEL_REQUESTED',
      'CANCELLED',
    ]);
    expect(kinds).toContain('PROGRESS');
    const retrying = result.data.job.events.find((e: { kind: string }) => e.kind === 'RETRYING');
    expect(retrying).toMatchObject({ attempt: 1, error: { code: 'TRANSIENT' } });

    const res = await rest('GET', `/api/sync/jobs/${job.id}/events`);
    expect(res.status).toBe(200);
    expect(res.body.events[0]).toMatchObject({ kind: 'created', status: 'queued', attempt: 0 });
    expect(res.body.events.at(-1)).toMatchObject({ kind: 'cancelled', status: 'cancelled' });
  });
});

describe('dashboard figures', () => {
  it('throughput counts completed and failed jobs per minute, every minute present; lastJobs gives each type', async () => {
    handlers.setScript(async () => ({ processed: 1, total: 1, failed: 0 }));
    const fresh = await createSandboxIntegration(stack.url, { products: 0, orders: 0 });
    const { job } = await stack.api.services.jobs.create({ integrationId: fresh, syncType: 'ORDERS' });
    await until(job.id, (j) => j.status === 'COMPLETED', 'completion');
    const result = await gql(
      stack.url,
      `query($id: ID!) {
        throughput(minutes: 5) { minute completed failed }
        integration(id: $id) { lastJobs { id syncType status } }
      }`,
      { id: fresh },
    );
    const points = result.data.throughput as { minute: string; completed: number; failed: number }[];
    expect(points).toHaveLength(5);
    const minutes = points.map((p) => Date.parse(p.minute));
    minutes.slice(1).forEach((m, i) => expect(m - minutes[i]!).toBe(60_000));
    expect(points.reduce((n, p) => n + p.completed, 0)).toBeGreaterThanOrEqual(1);
    expect(result.data.integration.lastJobs).toEqual([
      { id: job.id, syncType: 'ORDERS', status: 'COMPLETED' },
    ]);
  });
});

describe('maintenance jobs', () => {
  it('a CLEANUP job (no integration) reads cleanly over GraphQL and REST', async () => {
    const { randomUUID } = await import('node:crypto');
    const id = randomUUID();
    await stack.db
      .insertInto('sync_jobs')
      .values({
        id,
        integration_id: null,
        sync_type: 'CLEANUP',
        priority: 'NORMAL',
        origin: 'SCHEDULE',
        queue: 'maintenance',
        status: 'QUEUED',
        options: '{}',
        idempotency_key: null,
        dedup_key: null,
        max_attempts: 1,
        run_at: new Date(Date.now() + 3_600_000),
      })
      .execute();
    const result = await gql(
      stack.url,
      `query($id: ID!) { job(id: $id) { syncType integrationId integration { id } } }`,
      {
        id,
      },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.job).toEqual({ syncType: 'CLEANUP', integrationId: null, integration: null });
    const res = await rest('GET', `/api/sync/jobs/${id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ sync_type: 'cleanup', integration_id: null });
  });
});
