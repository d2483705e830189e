/**
 * Live job events end to end: a worker child process publishes, API processes deliver over graphql-ws and SSE.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findSyncJobById } from '../../db/queries/sync-job.ts';
import { subscribeSse, subscribeWs, wsClient, type Subscription } from '../helpers/live.ts';
import {
  createSandboxIntegration,
  spawnApi,
  spawnWorker,
  startTestStack,
  type ChildApi,
  type ChildWorker,
  type TestStack,
} from '../helpers/stack.ts';
import { waitFor } from '../helpers/wait.ts';

interface JobSnapshot {
  id: string;
  status: string;
  processedItems: number;
  totalItems: number | null;
  progress: number;
  version: number;
}

const JOB_UPDATED = `subscription($id: ID!) {
  jobUpdated(id: $id) { id status processedItems totalItems progress version }
}`;
const pickJob = (data: any) => data.jobUpdated as JobSnapshot;

let stack: TestStack;
let worker: ChildWorker;
const clients: { dispose(): void | Promise<void> }[] = [];
const subs: Subscription<unknown>[] = [];
// 120 SKUs written 10 at a time with 15 ms per platform call: long enough to see progress, short enough to wait for.
const store = { products: 60, variantsPerProduct: 2, orders: 0, latencyMs: 15, pageSize: 20 };

async function createJob(integrationId: string, batchSize = 10): Promise<string> {
  const { job } = await stack.api.services.jobs.create({
    integrationId,
    syncType: 'PRODUCTS',
    options: { fullSync: true, batchSize },
  });
  return job.id;
}

function expectOrderedLifecycle(events: JobSnapshot[]): void {
  const versions = events.map((e) => e.version);
  expect(versions).toEqual([...versions].sort((a, b) => a - b));
  expect(new Set(versions).size).toBe(versions.length);
  const order = ['QUEUED', 'RUNNING', 'COMPLETED'];
  const ranks = events.map((e) => order.indexOf(e.status));
  expect(ranks.every((r) => r >= 0)).toBe(true);
  expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
}

beforeAll(async () => {
  stack = await startTestStack();
  worker = await spawnWorker(stack.env);
});

afterEach(async () => {
  await Promise.all(subs.splice(0).map((s) => s.close()));
  await Promise.all(
    clients.splice(0).map(async (c) => {
      await c.dispose();
    }),
  );
});

afterAll(async () => {
  await worker.kill('SIGKILL');
  await stack.stop();
});

describe('jobUpdated', () => {
  it('graphql-ws: snapshot → progress → COMPLETED, in order, then the subscription completes', async () => {
    const integrationId = await createSandboxIntegration(stack.url, store);
    const id = await createJob(integrationId);
    const client = wsClient(stack.url);
    clients.push(client);
    const sub = subscribeWs(client, JOB_UPDATED, { id }, pickJob);
    subs.push(sub);
    await sub.completed;
    expect(sub.errors).toEqual([]);
    const { events } = sub;
    expect(events[0]!.id).toBe(id);
    expect(['QUEUED', 'RUNNING']).toContain(events[0]!.status);
    expect(events.some((e) => e.status === 'RUNNING' && e.processedItems > 0 && e.processedItems < 120)).toBe(
      true,
    );
    expect(events.at(-1)).toMatchObject({
      status: 'COMPLETED',
      processedItems: 120,
      totalItems: 120,
      progress: 100,
    });
    expectOrderedLifecycle(events);
  });

  it('Server-Sent Events: the same sequence for consumers without WebSocket', async () => {
    const integrationId = await createSandboxIntegration(stack.url, store);
    const id = await createJob(integrationId);
    const sub = subscribeSse(stack.url, JOB_UPDATED, { id }, pickJob);
    subs.push(sub);
    await sub.completed;
    expect(sub.errors).toEqual([]);
    expect(sub.events[0]!.id).toBe(id);
    expect(sub.events.some((e) => e.status === 'RUNNING' && e.processedItems > 0)).toBe(true);
    expect(sub.events.at(-1)).toMatchObject({ status: 'COMPLETED', processedItems: 120 });
    expectOrderedLifecycle(sub.events);
  });

  it('a cancelled job: subscribers see CANCELLED and the subscription completes', async () => {
    const integrationId = await createSandboxIntegration(stack.url, { ...store, latencyMs: 40 });
    const id = await createJob(integrationId, 2);
    const client = wsClient(stack.url);
    clients.push(client);
    const sub = subscribeWs(client, JOB_UPDATED, { id }, pickJob);
    subs.push(sub);
    await sub.until('progress', (e) => e.status === 'RUNNING' && e.processedItems > 0);
    await stack.api.services.jobs.cancel(id);
    await sub.completed;
    expect(sub.events.at(-1)).toMatchObject({ status: 'CANCELLED' });
    expect(sub.events.at(-1)!.processedItems).toBeGreaterThan(0);
  });

  it('a consumer that disconnects mid-job and reconnects gets the final state first', async () => {
    const integrationId = await createSandboxIntegration(stack.url, store);
    const id = await createJob(integrationId);
    const first = wsClient(stack.url);
    const sub = subscribeWs(first, JOB_UPDATED, { id }, pickJob);
    await sub.until('running', (e) => e.status === 'RUNNING');
    await sub.close();
    await first.dispose();
    expect(sub.events.some((e) => e.status === 'COMPLETED')).toBe(false);
    await waitFor('job completed while nobody listened', async () => {
      const job = await findSyncJobById(stack.db, id);
      return job?.status === 'COMPLETED';
    });

    const second = wsClient(stack.url);
    clients.push(second);
    const again = subscribeWs(second, JOB_UPDATED, { id }, pickJob);
    subs.push(again);
    await again.completed;
    expect(again.events).toHaveLength(1);
    expect(again.events[0]).toMatchObject({ status: 'COMPLETED', processedItems: 120 });
  });

  it('an unknown job is a typed error, not a hanging subscription', async () => {
    const client = wsClient(stack.url);
    clients.push(client);
    const sub = subscribeWs(client, JOB_UPDATED, { id: '00000000-0000-4000-8000-000000000000' }, pickJob);
    await sub.completed;
    expect(JSON.stringify(sub.errors)).toContain('JOB_NOT_FOUND');
  });
});

describe('jobEvents and queueStatsUpdated', () => {
  it('jobEvents delivers every kind of change for matching jobs only, with the job snapshot', async () => {
    const integrationId = await createSandboxIntegration(stack.url, store);
    const other = await createSandboxIntegration(stack.url, store);
    const client = wsClient(stack.url);
    clients.push(client);
    const sub = subscribeWs(
      client,
      `subscription($filter: JobEventFilter) {
        jobEvents(filter: $filter) { kind at job { id integrationId status version } }
      }`,
      { filter: { integrationId } },
      (d: any) =>
        d.jobEvents as {
          kind: string;
          job: { id: string; integrationId: string; status: string; version: number };
        },
    );
    subs.push(sub);
    // graphql-ws has no subscribe acknowledgement: the subscription is live once it delivers a probe's CREATED.
    const probes = new Set<string>();
    await waitFor(
      'subscription live',
      async () => {
        const { job } = await stack.api.services.jobs.create({
          integrationId,
          syncType: 'ORDERS',
          runAt: new Date(Date.now() + 3_600_000).toISOString(),
        });
        probes.add(job.id);
        return sub.events.some((e) => probes.has(e.job.id)) || undefined;
      },
      { intervalMs: 50 },
    );
    // Another integration's job runs meanwhile: none of its events may reach this subscriber.
    const otherId = await createJob(other);
    const id = await createJob(integrationId);
    await sub.until('completion', (e) => e.job.id === id && e.kind === 'COMPLETED');
    await waitFor(
      'other job done',
      async () => (await findSyncJobById(stack.db, otherId))?.status === 'COMPLETED',
    );
    expect(sub.events.some((e) => e.job.id === otherId)).toBe(false);
    const kinds = sub.events.filter((e) => e.job.id === id).map((e) => e.kind);
    expect(kinds[0]).toBe('CREATED');
    expect(kinds).toContain('STARTED');
    expect(kinds).toContain('PROGRESS');
    expect(kinds.at(-1)).toBe('COMPLETED');
    expect(sub.events.every((e) => e.job.integrationId === integrationId)).toBe(true);
  });

  it('queueStatsUpdated: the current stats first, then a push when a job changes them', async () => {
    const client = wsClient(stack.url);
    clients.push(client);
    const sub = subscribeWs(
      client,
      `subscription { queueStatsUpdated { generatedAt totals { queued running completed } } }`,
      {},
      (d: any) => d.queueStatsUpdated as { generatedAt: string; totals: { completed: number } },
    );
    subs.push(sub);
    const first = await sub.until('initial stats', () => true);
    const integrationId = await createSandboxIntegration(stack.url, store);
    await createJob(integrationId);
    const later = await sub.until(
      'stats after the job completed',
      (s) => s.totals.completed > first.totals.completed,
    );
    expect(later.totals.completed).toBe(first.totals.completed + 1);
    const times = sub.events.map((s) => Date.parse(s.generatedAt));
    for (let i = 2; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(900);
  });
});

describe('two API replicas, one worker', () => {
  let replicas: ChildApi[] = [];

  beforeAll(async () => {
    // This test starts its own worker once both replicas hold a subscription, so it sees every transition.
    await worker.kill('SIGKILL');
  });

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.kill('SIGTERM')));
  });

  it('subscribers on both replicas get every transition', async () => {
    replicas = await Promise.all([spawnApi(stack.env), spawnApi(stack.env)]);
    const integrationId = await createSandboxIntegration(stack.url, store);
    const id = await createJob(integrationId);
    const subsByReplica = replicas.map((replica) => {
      const client = wsClient(replica.url);
      clients.push(client);
      const sub = subscribeWs(client, JOB_UPDATED, { id }, pickJob);
      subs.push(sub);
      return sub;
    });
    await Promise.all(subsByReplica.map((s) => s.until('queued snapshot', (e) => e.status === 'QUEUED')));
    worker = await spawnWorker(stack.env);
    await Promise.all(subsByReplica.map((s) => s.completed));
    for (const sub of subsByReplica) {
      expect(sub.errors).toEqual([]);
      expect(sub.events.at(-1)).toMatchObject({ status: 'COMPLETED', processedItems: 120 });
      expectOrderedLifecycle(sub.events);
      expect(sub.events[0]!.status).toBe('QUEUED');
      expect(sub.events.some((e) => e.status === 'RUNNING' && e.processedItems > 0)).toBe(true);
    }
    // Both replicas delivered the same transitions (progress may be coalesced differently, states may not).
    const states = subsByReplica.map((sub) => [...new Set(sub.events.map((e) => e.status))]);
    expect(states[0]).toEqual(['QUEUED', 'RUNNING', 'COMPLETED']);
    expect(states[1]).toEqual(states[0]);
  });
});
