/**
 * The worker registry with real worker processes: each beats (id, host, pid, version, queues, running jobs,
 * totals), `workers` and `workersUpdated` list it, a worker killed with SIGKILL shows offline within 15 s and is
 * dropped later, and a worker stopped with SIGTERM leaves the list at once.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findSyncJobById } from '../../db/queries/sync-job.ts';
import { subscribeWs, wsClient } from '../helpers/live.ts';
import {
  createSandboxIntegration,
  gql,
  spawnWorker,
  startTestStack,
  type ChildWorker,
  type TestStack,
} from '../helpers/stack.ts';
import { waitFor } from '../helpers/wait.ts';

interface WorkerRow {
  id: string;
  host: string;
  pid: number;
  version: string;
  state: string;
  online: boolean;
  processed: number;
  succeeded: number;
  failed: number;
  startedAt: string;
  lastSeenAt: string;
  runningJobIds: string[];
  queues: { name: string; concurrency: number; paused: boolean }[];
}

const WORKER_FIELDS = `id host pid version state online processed succeeded failed startedAt lastSeenAt runningJobIds
  queues { name concurrency paused }`;
const version = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

let stack: TestStack;
const children: ChildWorker[] = [];

async function workers(): Promise<WorkerRow[]> {
  const res = await gql<{ workers: WorkerRow[] }>(stack.url, `{ workers { ${WORKER_FIELDS} } }`);
  if (!res.data) throw new Error(JSON.stringify(res.errors));
  return res.data.workers;
}

async function workerOf(child: ChildWorker): Promise<WorkerRow | undefined> {
  return (await workers()).find((w) => w.pid === child.child.pid);
}

async function spawn(env: Record<string, string> = {}): Promise<ChildWorker> {
  const child = await spawnWorker({ ...stack.env, ...env });
  children.push(child);
  return child;
}

beforeAll(async () => {
  stack = await startTestStack({
    // Quicker than the defaults (15 s, 60 s) so the test runs in seconds; the default is checked in config tests.
    env: { WORKER_OFFLINE_AFTER_MS: '3000', WORKER_FORGET_AFTER_MS: '6000', WORKER_CONCURRENCY: '3' },
  });
});

afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => c.kill('SIGKILL')));
});

afterAll(async () => {
  await stack.stop();
});

describe('worker registry', () => {
  it('a worker heartbeats who it is, what it consumes, what it runs and what it has done', async () => {
    const child = await spawn();
    const seen = await waitFor('the worker in the registry', () => workerOf(child));
    expect(seen).toMatchObject({ host: hostname(), version, state: 'RUNNING', online: true, processed: 0 });
    expect(seen.id).toContain(`:${child.child.pid}:`);
    expect(seen.queues.map((q) => q.name)).toEqual([
      'URGENT',
      'HIGH_PRIORITY',
      'SYNC_PRODUCTS',
      'SYNC_INVENTORY',
      'SYNC_ORDERS',
      'SYNC_BULK',
      'MAINTENANCE',
      'DEFAULT',
    ]);
    expect(seen.queues.find((q) => q.name === 'SYNC_PRODUCTS')).toEqual({
      name: 'SYNC_PRODUCTS',
      concurrency: 3,
      paused: false,
    });
    expect(seen.queues.find((q) => q.name === 'MAINTENANCE')?.concurrency).toBe(1);

    // A job it runs appears in its heartbeat; once done, it counts.
    const integrationId = await createSandboxIntegration(stack.url, {
      products: 60,
      variantsPerProduct: 1,
      orders: 0,
      latencyMs: 20,
      pageSize: 10,
    });
    const { job } = await stack.api.services.jobs.create({
      integrationId,
      syncType: 'PRODUCTS',
      options: { batchSize: 2 },
    });
    await waitFor('the running job in the heartbeat', async () =>
      (await workerOf(child))?.runningJobIds.includes(job.id),
    );
    await waitFor(
      'the job to complete',
      async () => (await findSyncJobById(stack.db, job.id))?.status === 'COMPLETED',
    );
    const after = await waitFor('totals in the heartbeat', async () => {
      const w = await workerOf(child);
      return w && w.processed === 1 && w.runningJobIds.length === 0 ? w : undefined;
    });
    expect(after).toMatchObject({ succeeded: 1, failed: 0 });
    expect(new Date(after.lastSeenAt).getTime()).toBeGreaterThan(new Date(seen.lastSeenAt).getTime());
  });

  it('SIGKILL: the worker shows offline within 15 s, and is dropped later; SIGTERM: it leaves at once', async () => {
    const doomed = await spawn();
    const stopping = await spawn();
    await waitFor(
      'both online',
      async () => (await workerOf(doomed))?.online && (await workerOf(stopping))?.online,
    );

    await doomed.kill('SIGKILL');
    const killedAt = Date.now();
    const offline = await waitFor('the killed worker offline', async () => {
      const w = await workerOf(doomed);
      return w && !w.online ? w : undefined;
    });
    expect(Date.now() - killedAt).toBeLessThan(15_000);
    expect(offline.state).toBe('RUNNING');
    // The other worker is still online.
    expect((await workerOf(stopping))?.online).toBe(true);
    const online = await gql<{ workers: { pid: number }[] }>(stack.url, '{ workers(online: true) { pid } }');
    expect(online.data?.workers.map((w) => w.pid)).toEqual([stopping.child.pid]);

    await waitFor('the killed worker dropped', async () => (await workerOf(doomed)) === undefined, {
      timeoutMs: 20_000,
    });

    expect(await stopping.kill('SIGTERM')).toBe(0);
    expect(await workerOf(stopping)).toBeUndefined();
  });

  it('workersUpdated (graphql-ws) sends the list, then each change', async () => {
    const client = wsClient(stack.url);
    const sub = subscribeWs<WorkerRow[]>(
      client,
      `subscription { workersUpdated { ${WORKER_FIELDS} } }`,
      {},
      (d: { workersUpdated: WorkerRow[] }) => d.workersUpdated,
    );
    try {
      await sub.until('the first list', () => true);
      const child = await spawn();
      await sub.until('the new worker online', (list) =>
        list.some((w) => w.pid === child.child.pid && w.online),
      );
      await child.kill('SIGTERM');
      await sub.until('the worker gone', (list) => !list.some((w) => w.pid === child.child.pid));
      expect(sub.errors).toEqual([]);
    } finally {
      await sub.close();
      await client.dispose();
    }
  });
});
