/**
 * The GraphQL API end to end against a running server: integrations (credentials stay write-only), job creation
 * with dedup and idempotency, quick sync, bulk, cursor pagination and filters, queue stats, cancel, typed errors
 * and the self-hosted GraphiQL. No worker runs, so every job created stays QUEUED until cancelled.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES, SYNC_TYPES } from '../../db/types.ts';
import { openIntegrationCredentials } from '../../server/security/integration-credentials.ts';
import {
  createSandboxIntegration,
  gql,
  startTestStack,
  testSecretBox,
  type TestStack,
} from '../helpers/stack.ts';

type GqlResult = Awaited<ReturnType<typeof gql>>;
type GqlError = NonNullable<GqlResult['errors']>[number];

let stack: TestStack;
/** Every error any request in this file received; none may be an internal one. */
const seenErrors: GqlError[] = [];

beforeAll(async () => {
  stack = await startTestStack({ workers: 0 });
});

afterAll(async () => {
  await stack?.stop();
});

async function api<T = any>(query: string, variables: Record<string, unknown> = {}) {
  const result = await gql<T>(stack.url, query, variables);
  seenErrors.push(...(result.errors ?? []));
  for (const error of result.errors ?? []) {
    expect(error.extensions?.code, error.message).not.toBe('INTERNAL_ERROR');
    expect(error.extensions?.code, error.message).not.toBe('INTERNAL_SERVER_ERROR');
  }
  return result;
}

/** A successful operation's data. */
async function ok<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const result = await api<T>(query, variables);
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data!;
}

/** An operation that fails with exactly one error of this code. */
async function fails(
  code: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GqlError> {
  const result = await api(query, variables);
  expect(result.errors, JSON.stringify(result.data)).toHaveLength(1);
  const error = result.errors![0]!;
  expect(error.extensions?.code, error.message).toBe(code);
  return error;
}

/** Top-level jobs (a full sync counts once; its children are its own business). */
async function countJobs(where: { integrationId?: string } = {}): Promise<number> {
  let q = stack.db
    .selectFrom('sync_jobs')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('parent_id', 'is', null);
  if (where.integrationId) q = q.where('integration_id', '=', where.integrationId);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

const JOB = `id integrationId syncType priority queue origin status idempotencyKey
  options { fullSync batchSize dryRun } cancelRequestedAt finishedAt createdAt`;

const CREATE_JOB = `mutation($input: CreateSyncJobInput!) {
  createSyncJob(input: $input) { deduplicated job { ${JOB} } }
}`;

const BULK = `mutation($jobs: [CreateSyncJobInput!]!) {
  bulkCreateSyncJobs(jobs: $jobs) { createdCount deduplicatedCount results { deduplicated job { id } } jobs { ${JOB} } }
}`;

const QUICK = `mutation($id: ID!, $types: [SyncType!]) {
  quickSync(integrationId: $id, syncTypes: $types) { results { deduplicated } jobs { ${JOB} } }
}`;

const CANCEL = `mutation($id: ID!) { cancelSyncJob(id: $id) { ${JOB} } }`;

const INTEGRATION = `id name platform enabled settings hasCredentials createdAt updatedAt`;

describe('integrations', () => {
  const secret = `sk_live_${randomUUID()}`;
  const nestedSecret = `tok_${randomUUID()}`;
  let id: string;

  it('createIntegration stores the credentials but never returns them', async () => {
    const result = await api(
      `mutation($input: CreateIntegrationInput!) { createIntegration(input: $input) { ${INTEGRATION} } }`,
      {
        input: {
          name: 'Loja Bling',
          settings: { products: 10, orders: 4, latencyMs: 0 },
          credentials: { apiKey: secret, oauth: { refreshToken: nestedSecret } },
        },
      },
    );
    expect(result.errors).toBeUndefined();
    expect(JSON.stringify(result)).not.toContain(secret);
    expect(JSON.stringify(result)).not.toContain(nestedSecret);
    const created = result.data.createIntegration;
    expect(created).toMatchObject({
      name: 'Loja Bling',
      platform: 'SANDBOX',
      enabled: true,
      hasCredentials: true,
    });
    expect(created.settings).toMatchObject({ products: 10, orders: 4, latencyMs: 0 });
    id = created.id;

    // They were written (sealed): the record has them, the API does not show them.
    expect(await openIntegrationCredentials(stack.db, testSecretBox(), id)).toEqual({
      apiKey: secret,
      oauth: { refreshToken: nestedSecret },
    });
  });

  it('integration(id), integrations and a job’s integration never contain the credentials', async () => {
    const one = await api(`query($id: ID!) { integration(id: $id) { ${INTEGRATION} } }`, { id });
    expect(one.data.integration).toMatchObject({ id, hasCredentials: true });
    const all = await api(`{ integrations { ${INTEGRATION} } }`);
    expect(all.data.integrations.map((i: { id: string }) => i.id)).toContain(id);
    const job = await api(
      `mutation($input: CreateSyncJobInput!) { createSyncJob(input: $input) { job { integration { ${INTEGRATION} } } } }`,
      { input: { integrationId: id, syncType: 'ALL' } },
    );
    expect(job.data.createSyncJob.job.integration.id).toBe(id);
    for (const text of [one, all, job].map((r) => JSON.stringify(r))) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(nestedSecret);
    }
  });

  it('has no field that could return credentials', async () => {
    const result = await api(`query($id: ID!) { integration(id: $id) { id credentials } }`, { id });
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0]?.message).toMatch(/Cannot query field "credentials"/);
  });

  it('updateIntegration renames, merges settings and replaces credentials without showing them', async () => {
    const newSecret = `sk_live_${randomUUID()}`;
    const result = await api(
      `mutation($id: ID!, $input: UpdateIntegrationInput!) { updateIntegration(id: $id, input: $input) { ${INTEGRATION} } }`,
      { id, input: { name: 'Loja Bling 2', settings: { orders: 9 }, credentials: { apiKey: newSecret } } },
    );
    expect(result.errors).toBeUndefined();
    expect(JSON.stringify(result)).not.toContain(newSecret);
    expect(result.data.updateIntegration).toMatchObject({ id, name: 'Loja Bling 2', hasCredentials: true });
    // Merged: the earlier products/latency stay, orders changes.
    expect(result.data.updateIntegration.settings).toMatchObject({ products: 10, orders: 9, latencyMs: 0 });
    expect(await openIntegrationCredentials(stack.db, testSecretBox(), id)).toEqual({ apiKey: newSecret });
  });

  it('updateIntegration refuses bad settings, an unknown id and a malformed id', async () => {
    await fails(
      'VALIDATION_FAILED',
      `mutation($id: ID!) { updateIntegration(id: $id, input: { settings: { products: -1 } }) { id } }`,
      { id },
    );
    await fails(
      'INTEGRATION_NOT_FOUND',
      `mutation($id: ID!) { updateIntegration(id: $id, input: { name: "x" }) { id } }`,
      {
        id: randomUUID(),
      },
    );
    await fails('VALIDATION_FAILED', `mutation { updateIntegration(id: "42", input: { name: "x" }) { id } }`);
    await fails('VALIDATION_FAILED', `query { integration(id: "42") { id } }`);
    expect(
      (await ok(`query($id: ID!) { integration(id: $id) { id } }`, { id: randomUUID() })).integration,
    ).toBeNull();
  });

  it('disableIntegration stops new jobs; enableIntegration lets them in again', async () => {
    const target = await createSandboxIntegration(stack.url);
    const disabled = await ok(`mutation($id: ID!) { disableIntegration(id: $id) { id enabled } }`, {
      id: target,
    });
    expect(disabled.disableIntegration).toEqual({ id: target, enabled: false });
    const listed = await ok(`{ integrations(enabled: false) { id enabled } }`);
    expect(listed.integrations).toEqual([{ id: target, enabled: false }]);

    const before = await countJobs({ integrationId: target });
    await fails('INTEGRATION_DISABLED', CREATE_JOB, { input: { integrationId: target, syncType: 'ORDERS' } });
    await fails('INTEGRATION_DISABLED', QUICK, { id: target });
    expect(await countJobs({ integrationId: target })).toBe(before);

    const enabled = await ok(`mutation($id: ID!) { enableIntegration(id: $id) { id enabled } }`, {
      id: target,
    });
    expect(enabled.enableIntegration).toEqual({ id: target, enabled: true });
    const created = await ok(CREATE_JOB, { input: { integrationId: target, syncType: 'ORDERS' } });
    expect(created.createSyncJob).toMatchObject({
      deduplicated: false,
      job: { integrationId: target, status: 'QUEUED' },
    });
    await fails('INTEGRATION_NOT_FOUND', `mutation($id: ID!) { disableIntegration(id: $id) { id } }`, {
      id: randomUUID(),
    });
  });
});

describe('creating jobs', () => {
  let integrationId: string;

  beforeAll(async () => {
    integrationId = await createSandboxIntegration(stack.url);
  });

  it('createSyncJob returns the queued job with defaults and deduplicated: false', async () => {
    const data = await ok(CREATE_JOB, { input: { integrationId, syncType: 'PRODUCTS' } });
    expect(data.createSyncJob).toMatchObject({
      deduplicated: false,
      job: {
        integrationId,
        syncType: 'PRODUCTS',
        priority: 'NORMAL',
        queue: 'SYNC_PRODUCTS',
        origin: 'API',
        status: 'QUEUED',
        idempotencyKey: null,
        options: { fullSync: false, batchSize: 100, dryRun: false },
      },
    });
  });

  it('a second request for the same waiting (integration, type) returns it with deduplicated: true', async () => {
    const before = await countJobs({ integrationId });
    const first = await ok(CREATE_JOB, {
      input: { integrationId, syncType: 'INVENTORY', options: { fullSync: true, batchSize: 250 } },
    });
    expect(first.createSyncJob.job.options).toEqual({ fullSync: true, batchSize: 250, dryRun: false });
    const again = await ok(CREATE_JOB, { input: { integrationId, syncType: 'INVENTORY' } });
    expect(again.createSyncJob.deduplicated).toBe(true);
    expect(again.createSyncJob.job.id).toBe(first.createSyncJob.job.id);
    expect(again.createSyncJob.job.options.batchSize).toBe(250);
    expect(await countJobs({ integrationId })).toBe(before + 1);

    // Asked again at a higher priority, the waiting job moves up instead of a second one being queued.
    const urgent = await ok(CREATE_JOB, {
      input: { integrationId, syncType: 'INVENTORY', priority: 'URGENT' },
    });
    expect(urgent.createSyncJob).toMatchObject({
      deduplicated: true,
      job: { id: first.createSyncJob.job.id, priority: 'URGENT', queue: 'URGENT' },
    });
    expect(await countJobs({ integrationId })).toBe(before + 1);
  });

  it('an idempotencyKey replay returns the original job, even after dedup stopped applying', async () => {
    const key = `order-import-${randomUUID()}`;
    const before = await countJobs({ integrationId });
    const first = await ok(CREATE_JOB, { input: { integrationId, syncType: 'ORDERS', idempotencyKey: key } });
    expect(first.createSyncJob).toMatchObject({ deduplicated: false, job: { idempotencyKey: key } });
    const jobId = first.createSyncJob.job.id;

    const replay = await ok(CREATE_JOB, {
      input: { integrationId, syncType: 'ORDERS', idempotencyKey: key },
    });
    expect(replay.createSyncJob).toMatchObject({
      deduplicated: true,
      job: { id: jobId, idempotencyKey: key },
    });

    // Cancelled, the job no longer dedups; the key still brings back the original, whatever the body says.
    expect((await ok(CANCEL, { id: jobId })).cancelSyncJob.status).toBe('CANCELLED');
    const late = await ok(CREATE_JOB, {
      input: { integrationId, syncType: 'PRODUCTS', priority: 'HIGH', idempotencyKey: key },
    });
    expect(late.createSyncJob).toMatchObject({
      deduplicated: true,
      job: { id: jobId, syncType: 'ORDERS', status: 'CANCELLED' },
    });
    expect(await countJobs({ integrationId })).toBe(before + 1);

    // A new key for the same sync is a new job (the cancelled one no longer holds the dedup slot).
    const other = await ok(CREATE_JOB, {
      input: { integrationId, syncType: 'ORDERS', idempotencyKey: `${key}-2` },
    });
    expect(other.createSyncJob.deduplicated).toBe(false);
    expect(other.createSyncJob.job.id).not.toBe(jobId);
  });

  it('quickSync queues HIGH priority jobs in HIGH_PRIORITY, default types products, inventory and orders', async () => {
    const fresh = await createSandboxIntegration(stack.url);
    const data = await ok(QUICK, { id: fresh });
    const jobs = data.quickSync.jobs as {
      syncType: string;
      priority: string;
      queue: string;
      origin: string;
    }[];
    expect(jobs.map((j) => j.syncType)).toEqual(['PRODUCTS', 'INVENTORY', 'ORDERS']);
    for (const job of jobs) {
      expect(job).toMatchObject({
        priority: 'HIGH',
        queue: 'HIGH_PRIORITY',
        origin: 'QUICK',
        status: 'QUEUED',
      });
    }
    expect(data.quickSync.results.map((r: { deduplicated: boolean }) => r.deduplicated)).toEqual([
      false,
      false,
      false,
    ]);
    expect(await countJobs({ integrationId: fresh })).toBe(3);
  });

  it('quickSync promotes a waiting NORMAL job of the same type instead of queuing a second one', async () => {
    const fresh = await createSandboxIntegration(stack.url);
    const waiting = await ok(CREATE_JOB, { input: { integrationId: fresh, syncType: 'ORDERS' } });
    expect(waiting.createSyncJob.job.queue).toBe('SYNC_ORDERS');
    const data = await ok(QUICK, { id: fresh, types: ['ORDERS'] });
    expect(data.quickSync.results).toEqual([{ deduplicated: true }]);
    expect(data.quickSync.jobs[0]).toMatchObject({
      id: waiting.createSyncJob.job.id,
      priority: 'HIGH',
      queue: 'HIGH_PRIORITY',
    });
    expect(await countJobs({ integrationId: fresh })).toBe(1);
  });

  it('bulkCreateSyncJobs: 300 entries over 3 integrations × 4 types collapse to 12 jobs', async () => {
    const integrations = await Promise.all([0, 1, 2].map(() => createSandboxIntegration(stack.url)));
    const before = await countJobs();
    const entries = Array.from({ length: 300 }, (_, i) => ({
      integrationId: integrations[i % 3]!,
      syncType: SYNC_TYPES[Math.floor(i / 3) % 4]!,
      options: { batchSize: 50 },
    }));
    const data = await ok(BULK, { jobs: entries });
    const payload = data.bulkCreateSyncJobs;
    expect(payload.createdCount).toBe(12);
    expect(payload.deduplicatedCount).toBe(288);
    expect(payload.results).toHaveLength(300);
    expect(payload.jobs).toHaveLength(300);
    expect(new Set(payload.jobs.map((j: { id: string }) => j.id)).size).toBe(12);
    expect(await countJobs()).toBe(before + 12);

    // Each entry got the one job of its (integration, type) pair, in input order.
    const byPair = new Map<string, string>();
    payload.jobs.forEach((job: { id: string; integrationId: string; syncType: string }, i: number) => {
      expect(job).toMatchObject({ integrationId: entries[i]!.integrationId, syncType: entries[i]!.syncType });
      const pair = `${job.integrationId}:${job.syncType}`;
      expect(byPair.get(pair) ?? job.id).toBe(job.id);
      byPair.set(pair, job.id);
    });
    expect(byPair.size).toBe(12);
    for (const job of payload.jobs) {
      expect(job).toMatchObject({ queue: 'SYNC_BULK', origin: 'BULK', status: 'QUEUED', priority: 'NORMAL' });
      expect(job.options.batchSize).toBe(50);
    }
    // The first entry of each pair created it; the other 24 were deduplicated.
    expect(payload.results.slice(0, 12).every((r: { deduplicated: boolean }) => !r.deduplicated)).toBe(true);
    expect(payload.results.slice(12).every((r: { deduplicated: boolean }) => r.deduplicated)).toBe(true);

    // The same pairs again, while they wait: nothing new.
    const again = await ok(BULK, { jobs: entries.slice(0, 12) });
    expect(again.bulkCreateSyncJobs).toMatchObject({ createdCount: 0, deduplicatedCount: 12 });
    expect(await countJobs()).toBe(before + 12);
  });
});

describe('listing jobs', () => {
  interface Node {
    id: string;
    status: string;
    syncType: string;
    integrationId: string;
    priority: string;
    queue: string;
    createdAt: string;
  }

  const LIST = `query($filter: SyncJobFilter, $first: Int, $after: String) {
    jobs(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id status syncType integrationId priority queue createdAt } }
      nodes { id }
    }
  }`;

  async function walk(filter: Record<string, unknown> | null, first: number) {
    const seen: Node[] = [];
    let after: string | null = null;
    let totalCount = -1;
    for (let page = 0; page < 1000; page++) {
      const data: any = await ok(LIST, { filter, first, after });
      const conn = data.jobs;
      if (totalCount === -1) totalCount = conn.totalCount;
      expect(conn.totalCount).toBe(totalCount);
      expect(conn.edges.length).toBeLessThanOrEqual(first);
      expect(conn.nodes.map((n: { id: string }) => n.id)).toEqual(
        conn.edges.map((e: { node: Node }) => e.node.id),
      );
      seen.push(...conn.edges.map((e: { node: Node }) => e.node));
      if (conn.edges.length > 0)
        expect(conn.pageInfo.endCursor).toBe(conn.edges[conn.edges.length - 1].cursor);
      if (!conn.pageInfo.hasNextPage) return { seen, totalCount };
      expect(conn.edges).toHaveLength(first);
      after = conn.pageInfo.endCursor;
    }
    throw new Error('pagination did not end');
  }

  it('walks every page without duplicates; totalCount matches the record', async () => {
    const total = await countJobs();
    expect(total).toBeGreaterThan(15);
    const { seen, totalCount } = await walk({ topLevel: true }, 7);
    expect(totalCount).toBe(total);
    expect(seen).toHaveLength(total);
    expect(new Set(seen.map((n) => n.id)).size).toBe(total);
    // Newest first.
    for (let i = 1; i < seen.length; i++) {
      expect(Date.parse(seen[i - 1]!.createdAt)).toBeGreaterThanOrEqual(Date.parse(seen[i]!.createdAt));
    }
  });

  it('walks rows that share a created_at (one bulk insert) without skipping or repeating', async () => {
    const { seen, totalCount } = await walk({ queue: ['SYNC_BULK'] }, 5);
    expect(totalCount).toBeGreaterThanOrEqual(12);
    expect(seen).toHaveLength(totalCount);
    expect(new Set(seen.map((n) => n.id)).size).toBe(totalCount);
    expect(seen.every((n) => n.queue === 'SYNC_BULK')).toBe(true);
  });

  it.each([
    ['status', { status: ['CANCELLED'] }, (n: Node) => n.status === 'CANCELLED', { status: ['CANCELLED'] }],
    [
      'syncType',
      { syncType: ['ORDERS', 'ALL'] },
      (n: Node) => ['ORDERS', 'ALL'].includes(n.syncType),
      { sync_type: ['ORDERS', 'ALL'] },
    ],
    ['priority', { priority: ['HIGH'] }, (n: Node) => n.priority === 'HIGH', { priority: ['HIGH'] }],
    [
      'queue',
      { queue: ['HIGH_PRIORITY'] },
      (n: Node) => n.queue === 'HIGH_PRIORITY',
      { queue: ['high_priority'] },
    ],
    [
      'status and queue together',
      { status: ['QUEUED'], queue: ['SYNC_BULK', 'URGENT'] },
      (n: Node) => n.status === 'QUEUED' && ['SYNC_BULK', 'URGENT'].includes(n.queue),
      { status: ['QUEUED'], queue: ['sync_bulk', 'urgent'] },
    ],
  ] as const)('filters by %s', async (_, filter, matches, column) => {
    let q = stack.db.selectFrom('sync_jobs').select((eb) => eb.fn.countAll<string>().as('n'));
    for (const [col, values] of Object.entries(column)) {
      q = q.where(col as 'status', 'in', values as unknown as 'QUEUED'[]);
    }
    const expected = Number((await q.executeTakeFirstOrThrow()).n);
    expect(expected).toBeGreaterThan(0);
    const { seen, totalCount } = await walk(filter, 4);
    expect(totalCount).toBe(expected);
    expect(seen).toHaveLength(expected);
    expect(seen.every(matches)).toBe(true);
  });

  it('filters by integrationId', async () => {
    const id = await createSandboxIntegration(stack.url);
    await ok(QUICK, { id });
    const { seen, totalCount } = await walk({ integrationId: id }, 2);
    expect(totalCount).toBe(3);
    expect(seen.map((n) => n.syncType).sort()).toEqual(['INVENTORY', 'ORDERS', 'PRODUCTS']);
    expect(seen.every((n) => n.integrationId === id)).toBe(true);
    const none = await ok(LIST, { filter: { integrationId: randomUUID() } });
    expect(none.jobs).toMatchObject({
      totalCount: 0,
      edges: [],
      pageInfo: { hasNextPage: false, endCursor: null },
    });
  });

  it('refuses a malformed integrationId, a bad cursor and page sizes out of range', async () => {
    await fails('VALIDATION_FAILED', LIST, { filter: { integrationId: 'nope' } });
    await fails('VALIDATION_FAILED', LIST, { after: 'not-a-cursor' });
    await fails('VALIDATION_FAILED', LIST, { first: 0 });
    await fails('VALIDATION_FAILED', LIST, { first: 501 });
  });

  it('job(id) returns one job, or null for an unknown id', async () => {
    const { seen } = await walk({ status: ['QUEUED'] }, 500);
    const target = seen[0]!;
    const data = await ok(`query($id: ID!) { job(id: $id) { id status queue } }`, { id: target.id });
    expect(data.job).toEqual({ id: target.id, status: target.status, queue: target.queue });
    expect((await ok(`query($id: ID!) { job(id: $id) { id } }`, { id: randomUUID() })).job).toBeNull();
    await fails('VALIDATION_FAILED', `query { job(id: "abc") { id } }`);
  });
});

describe('queueStats', () => {
  it('shows the eight queues with their figures and per-status totals that match the record', async () => {
    const data = await ok(`{
      queueStats {
        generatedAt
        queues { name waiting active delayed completedLastHour failedLastHour oldestWaitingSeconds }
        totals { queued running completed failed cancelled }
      }
    }`);
    const stats = data.queueStats;
    expect(stats.queues.map((q: { name: string }) => q.name)).toEqual(
      QUEUE_NAMES.map((q) => q.toUpperCase()),
    );
    const rows = await stack.db
      .selectFrom('sync_jobs')
      .select(['queue', 'status', (eb) => eb.fn.countAll<string>().as('n')])
      .where('child_count', 'is', null) // a full sync's parent waits in no queue; its children do
      .groupBy(['queue', 'status'])
      .execute();
    for (const q of stats.queues) {
      const queued = rows
        .filter((r) => r.queue.toUpperCase() === q.name && r.status === 'QUEUED')
        .reduce((a, r) => a + Number(r.n), 0);
      expect(q.waiting + q.delayed, q.name).toBe(queued);
      expect(q.active).toBe(0);
      expect(q.completedLastHour).toBe(0);
      expect(q.failedLastHour).toBe(0);
      if (q.waiting > 0) expect(q.oldestWaitingSeconds).toBeGreaterThanOrEqual(0);
      else expect(q.oldestWaitingSeconds).toBeNull();
    }
    const byStatus = (s: string) => rows.filter((r) => r.status === s).reduce((a, r) => a + Number(r.n), 0);
    expect(stats.totals).toEqual({
      queued: byStatus('QUEUED'),
      running: 0,
      completed: 0,
      failed: 0,
      cancelled: byStatus('CANCELLED'),
    });
    expect(stats.totals.queued).toBeGreaterThan(0);
    expect(Math.abs(Date.parse(stats.generatedAt) - Date.now())).toBeLessThan(60_000);
  });
});

describe('cancelSyncJob', () => {
  it('cancels a queued job at once; a second cancel is JOB_ALREADY_FINISHED', async () => {
    const integrationId = await createSandboxIntegration(stack.url);
    const created = await ok(CREATE_JOB, { input: { integrationId, syncType: 'PRODUCTS' } });
    const id = created.createSyncJob.job.id as string;
    const cancelled = await ok(CANCEL, { id });
    expect(cancelled.cancelSyncJob).toMatchObject({ id, status: 'CANCELLED' });
    expect(cancelled.cancelSyncJob.cancelRequestedAt).not.toBeNull();
    expect(cancelled.cancelSyncJob.finishedAt).not.toBeNull();

    const again = await fails('JOB_ALREADY_FINISHED', CANCEL, { id });
    expect(again.extensions?.details).toEqual({ status: 'CANCELLED' });
    expect((await ok(`query($id: ID!) { job(id: $id) { status } }`, { id })).job.status).toBe('CANCELLED');
  });

  it('refuses an unknown id with JOB_NOT_FOUND and a malformed one with VALIDATION_FAILED', async () => {
    const missing = randomUUID();
    const error = await fails('JOB_NOT_FOUND', CANCEL, { id: missing });
    expect(error.message).toContain(missing);
    await fails('VALIDATION_FAILED', CANCEL, { id: 'job-1' });
  });
});

describe('bad input', () => {
  let integrationId: string;

  beforeAll(async () => {
    integrationId = await createSandboxIntegration(stack.url);
  });

  it.each([
    [
      'a malformed integrationId',
      { integrationId: 'uuid-da-integracao', syncType: 'PRODUCTS' },
      'integrationId',
    ],
    ['batchSize 0', { syncType: 'PRODUCTS', options: { batchSize: 0 } }, 'options.batchSize'],
    ['batchSize 5000', { syncType: 'PRODUCTS', options: { batchSize: 5000 } }, 'options.batchSize'],
    ['maxAttempts 0', { syncType: 'PRODUCTS', maxAttempts: 0 }, 'maxAttempts'],
    ['an empty idempotencyKey', { syncType: 'PRODUCTS', idempotencyKey: '' }, 'idempotencyKey'],
  ])('createSyncJob with %s is VALIDATION_FAILED and writes nothing', async (_, input, path) => {
    const before = await countJobs();
    const error = await fails('VALIDATION_FAILED', CREATE_JOB, { input: { integrationId, ...input } });
    expect(error.extensions?.details?.problems[0].path).toBe(path);
    expect(await countJobs()).toBe(before);
  });

  it('createSyncJob for an unknown integration is INTEGRATION_NOT_FOUND', async () => {
    const before = await countJobs();
    await fails('INTEGRATION_NOT_FOUND', CREATE_JOB, {
      input: { integrationId: randomUUID(), syncType: 'ORDERS' },
    });
    expect(await countJobs()).toBe(before);
  });

  it('bulkCreateSyncJobs over the limit (1001) is VALIDATION_FAILED and writes nothing', async () => {
    const before = await countJobs();
    const jobs = Array.from({ length: 1001 }, () => ({ integrationId, syncType: 'ORDERS' }));
    const error = await fails('VALIDATION_FAILED', BULK, { jobs });
    expect(error.extensions?.details?.limit).toBe(1000);
    expect(await countJobs()).toBe(before);
  });

  it('bulkCreateSyncJobs is all-or-nothing: one bad entry fails the call and writes nothing', async () => {
    const fresh = await createSandboxIntegration(stack.url);
    const jobs = [
      { integrationId: fresh, syncType: 'PRODUCTS' },
      { integrationId: fresh, syncType: 'INVENTORY' },
      { integrationId: fresh, syncType: 'ORDERS', options: { batchSize: 1001 } },
    ];
    const error = await fails('VALIDATION_FAILED', BULK, { jobs });
    expect(error.extensions?.details?.problems.map((p: { path: string }) => p.path)).toEqual([
      'jobs[2].options.batchSize',
    ]);
    await fails('VALIDATION_FAILED', BULK, { jobs: [] });
    expect(await countJobs({ integrationId: fresh })).toBe(0);
  });

  it('an unknown enum value in variables is a GraphQL error, not an internal one, and writes nothing', async () => {
    const before = await countJobs();
    const res = await fetch(`${stack.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        query: CREATE_JOB,
        variables: { input: { integrationId, syncType: 'CUSTOMERS' } },
      }),
    });
    expect(res.status === 200 || (res.status >= 400 && res.status < 500)).toBe(true);
    const body = (await res.json()) as { data?: any; errors?: GqlError[] };
    seenErrors.push(...(body.errors ?? []));
    expect(body.data?.createSyncJob ?? null).toBeNull();
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]!.message).toContain('CUSTOMERS');
    expect(body.errors![0]!.extensions?.code).not.toMatch(/INTERNAL/);

    const priority = await api(CREATE_JOB, {
      input: { integrationId, syncType: 'ORDERS', priority: 'MEDIUM' },
    });
    expect(priority.errors?.[0]?.message).toContain('MEDIUM');
    const when = await api(CREATE_JOB, { input: { integrationId, syncType: 'ORDERS', runAt: 'tomorrow' } });
    expect(when.errors?.[0]?.message).toContain('DateTime');
    expect(await countJobs()).toBe(before);
  });

  it('a literal of the wrong enum is refused before execution', async () => {
    const before = await countJobs();
    const result = await api(
      `mutation($id: ID!) { createSyncJob(input: { integrationId: $id, syncType: customers }) { job { id } } }`,
      { id: integrationId },
    );
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(await countJobs()).toBe(before);
  });

  it('no request in this file produced an internal error', () => {
    expect(seenErrors.length).toBeGreaterThan(20);
    const codes = new Set(seenErrors.map((e) => e.extensions?.code));
    expect(codes.has('INTERNAL_ERROR')).toBe(false);
    expect(codes.has('INTERNAL_SERVER_ERROR')).toBe(false);
    expect(codes.has(undefined)).toBe(false);
  });
});

describe('GraphiQL', () => {
  it('GET /graphql with Accept: text/html serves GraphiQL from this server, with no CDN', async () => {
    const res = await fetch(`${stack.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('graphiql');
    expect(html).toContain('<title>Sync Orchestrator GraphiQL</title>');
    expect(html).not.toContain('unpkg.com');
    for (const cdn of ['cdn.jsdelivr.net', 'cdnjs.cloudflare.com', 'esm.sh', 'fonts.googleapis.com']) {
      expect(html).not.toContain(cdn);
    }
    // Nothing is loaded from another origin.
    expect(html).not.toMatch(/<script[^>]+src=["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/<link[^>]+href=["']?(https?:)?\/\//i);
  });
});
