/**
 * Workers as separate processes running the production entrypoint: cancel reaches a job held by another process,
 * and a worker killed with SIGKILL mid-job never leaves its job RUNNING.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SyncJob } from '../../db/types.ts';
import {
  createSandboxIntegration,
  spawnWorker,
  startTestStack,
  type ChildWorker,
  type TestStack,
} from '../helpers/stack.ts';
import { waitForJob } from '../helpers/wait.ts';

let stack: TestStack;
const children: ChildWorker[] = [];
// A slow sandbox: 400 items in batches of 5, 30 ms per platform call — several seconds of work.
const slowStore = { products: 200, variantsPerProduct: 2, orders: 0, latencyMs: 30, pageSize: 50 };

/** This file's jobs live in `stack.db`. */
const until = (id: string, what: (j: SyncJob) => boolean, label: string, timeoutMs = 30_000) =>
  waitForJob(stack.db, id, what, label, timeoutMs);

async function worker(env: Record<string, string> = {}): Promise<ChildWorker> {
  const child = await spawnWorker({ ...stack.env, ...env });
  children.push(child);
  return child;
}

async function rest(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${stack.url}${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  stack = await startTestStack();
});

afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => c.kill('SIGKILL')));
});

afterAll(async () => {
  await stack.stop();
});

describe('worker processes', () => {
  it('cancel over REST stops a job running in another process; it ends CANCELLED with its counts', async () => {
    const child = await worker();
    const integrationId = await createSandboxIntegration(stack.url, slowStore);
    const created = await rest('POST', '/api/sync/jobs', {
      integration_id: integrationId,
      sync_type: 'products',
      options: { full_sync: true, batch_size: 5 },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await until(id, (j) => j.status === 'RUNNING' && j.processed_items > 0, 'running with progress');

    const cancel = await rest('DELETE', `/api/sync/jobs/${id}`);
    expect(cancel.status).toBe(202);
    expect(cancel.body.cancel_requested_at).not.toBeNull();

    const cancelled = await until(id, (j) => j.status === 'CANCELLED', 'cancelled');
    expect(cancelled.processed_items).toBeGreaterThan(0);
    expect(cancelled.processed_items).toBeLessThan(400);
    expect(cancelled.worker_id).toContain(`:${child.child.pid}:`);
    // The slot is free and the process healthy: the next job on that queue completes.
    const next = await rest('POST', '/api/sync/jobs', {
      integration_id: integrationId,
      sync_type: 'products',
    });
    await until(next.body.id, (j) => j.status === 'COMPLETED', 'next job completes');
  });

  it('kill -9 mid-job: another worker runs it again (attempt 2) and it completes', async () => {
    const first = await worker();
    const integrationId = await createSandboxIntegration(stack.url, slowStore);
    const created = await rest('POST', '/api/sync/jobs', {
      integration_id: integrationId,
      sync_type: 'products',
      options: { full_sync: true, batch_size: 5 },
    });
    const id = created.body.id as string;
    await until(id, (j) => j.status === 'RUNNING' && j.processed_items > 0, 'running with progress');
    await first.kill('SIGKILL');

    const killedAt = Date.now();
    const second = await worker();
    const recovered = await until(id, (j) => j.status === 'COMPLETED', 'completed by the second worker');
    expect(Date.now() - killedAt).toBeLessThan(30_000);
    expect(recovered.attempts).toBe(2);
    expect(recovered.worker_id).toContain(`:${second.child.pid}:`);
    expect(recovered.processed_items).toBe(400);
  });

  it('kill -9 on the last attempt: the job is FAILED with WORKER_LOST, never left RUNNING', async () => {
    const first = await worker();
    const integrationId = await createSandboxIntegration(stack.url, slowStore);
    const { job } = await stack.api.services.jobs.create({
      integrationId,
      syncType: 'PRODUCTS',
      maxAttempts: 1,
      options: { fullSync: true, batchSize: 5 },
    });
    await until(job.id, (j) => j.status === 'RUNNING' && j.processed_items > 0, 'running with progress');
    await first.kill('SIGKILL');
    await worker();
    const failed = await until(job.id, (j) => j.status === 'FAILED', 'failed after the worker was lost');
    expect(failed.error).toMatchObject({ code: 'WORKER_LOST' });
    expect(failed.attempts).toBe(1);
    expect(failed.finished_at).not.toBeNull();
  });
});
