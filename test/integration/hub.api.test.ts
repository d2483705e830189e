/**
 * The hub through the APIs: platform settings and credentials checked by the platform's schemas, a paused
 * integration's jobs waiting without spending an attempt (visible in GraphQL) until a reconnect or resume, the item
 * ledger in GraphQL and as CSV, and a retry of a partly failed job that reruns only its failed items.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pauseIntegration } from '../../db/queries/integration-breaker.ts';
import { insertLedgerEntries } from '../../db/queries/item-ledger.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';
import { waitFor, waitForJob } from '../helpers/wait.ts';

let stack: TestStack;

async function gql<T = Record<string, unknown>>(
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ data?: T; errors?: { message: string; extensions?: { code?: string } }[] }> {
  const res = await fetch(`${stack.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
}

const nuvemshopSettings = {
  // Nothing listens there: no test run reaches the real platform.
  baseUrl: 'http://127.0.0.1:9/v1',
  storeId: '123',
  userAgent: 'Sync Orchestrator tests (tests@example.com)',
};

async function createChannel(): Promise<string> {
  const created = await gql<{ createIntegration: { id: string } }>(
    `mutation ($input: CreateIntegrationInput!) { createIntegration(input: $input) { id } }`,
    {
      input: {
        name: 'store',
        platform: 'NUVEMSHOP',
        settings: nuvemshopSettings,
        credentials: { accessToken: 'tok' },
      },
    },
  );
  expect(created.errors).toBeUndefined();
  return created.data!.createIntegration.id;
}

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack.stop();
});

describe('integrations of real platforms', () => {
  it('checks settings and credentials with the platform schemas', async () => {
    const bad = await gql(
      `mutation ($input: CreateIntegrationInput!) { createIntegration(input: $input) { id } }`,
      {
        input: {
          name: 'x',
          platform: 'NUVEMSHOP',
          settings: { storeId: 'abc' },
          credentials: { accessToken: 't' },
        },
      },
    );
    expect(bad.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    const badCredentials = await gql(
      `mutation ($input: CreateIntegrationInput!) { createIntegration(input: $input) { id } }`,
      {
        input: { name: 'x', platform: 'NUVEMSHOP', settings: nuvemshopSettings, credentials: { token: 't' } },
      },
    );
    expect(badCredentials.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    const count = await stack.db
      .selectFrom('integrations')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    expect(Number(count?.n)).toBe(0);
  });

  it("a paused integration's job waits without spending an attempt; a reconnect resumes the integration", async () => {
    const id = await createChannel();
    await pauseIntegration(stack.db, id, {
      code: 'AUTH_FAILED',
      reason: 'The platform refused the credentials',
      untilMs: null,
    });
    const shown = await gql<{
      integration: { pausedAt: string | null; pauseCode: string; pauseReason: string; pausedUntil: null };
    }>(`query ($id: ID!) { integration(id: $id) { pausedAt pauseCode pauseReason pausedUntil } }`, { id });
    expect(shown.data?.integration).toMatchObject({ pauseCode: 'AUTH_FAILED', pausedUntil: null });
    expect(shown.data?.integration.pausedAt).not.toBeNull();

    await stack.startWorker();
    const created = await gql<{ createSyncJob: { job: { id: string } } }>(
      `mutation ($input: CreateSyncJobInput!) { createSyncJob(input: $input) { job { id } } }`,
      { input: { integrationId: id, syncType: 'PRODUCTS' } },
    );
    const jobId = created.data!.createSyncJob.job.id;
    const waiting = await waitForJob(
      stack.db,
      jobId,
      (j) => j.status === 'QUEUED' && j.error?.code === 'INTEGRATION_PAUSED',
      'the job to wait for its paused integration',
    );
    expect(waiting.attempts).toBe(0);
    expect(waiting.run_at!.getTime()).toBeGreaterThan(Date.now());

    const reconnected = await gql<{ updateIntegration: { pausedAt: string | null } }>(
      `mutation ($id: ID!) { updateIntegration(id: $id, input: { credentials: { accessToken: "new" } }) { pausedAt } }`,
      { id },
    );
    expect(reconnected.data?.updateIntegration.pausedAt).toBeNull();
    // The reconnect runs the waiting job now, not at its recheck time (30 s away): a worker starts it again.
    const starts = async () =>
      (
        await stack.db
          .selectFrom('sync_job_events')
          .select('id')
          .where('job_id', '=', jobId)
          .where('kind', '=', 'STARTED')
          .execute()
      ).length;
    await waitFor('the waiting job started again after the reconnect', async () => (await starts()) >= 2, {
      timeoutMs: 10_000,
    });
    await gql(`mutation ($id: ID!) { cancelSyncJob(id: $id) { id } }`, { id: jobId });

    await pauseIntegration(stack.db, id, { code: 'PLATFORM_UNAVAILABLE', reason: 'outage', untilMs: 60_000 });
    const resumed = await gql<{ resumeIntegration: { pausedAt: string | null; pauseReason: string | null } }>(
      `mutation ($id: ID!) { resumeIntegration(id: $id) { pausedAt pauseReason } }`,
      { id },
    );
    expect(resumed.data?.resumeIntegration).toEqual({ pausedAt: null, pauseReason: null });
  });
});

describe('item ledger', () => {
  let integrationId: string;
  let jobId: string;

  beforeAll(async () => {
    integrationId = await createChannel();
    const created = await gql<{ createSyncJob: { job: { id: string } } }>(
      `mutation ($input: CreateSyncJobInput!) { createSyncJob(input: $input) { job { id } } }`,
      { input: { integrationId, syncType: 'INVENTORY', options: { dryRun: true } } },
    );
    jobId = created.data!.createSyncJob.job.id;
    // Settle it as a partly failed run without a worker.
    await stack.db
      .updateTable('sync_jobs')
      .set({ status: 'COMPLETED', finished_at: new Date(), dedup_key: null })
      .where('id', '=', jobId)
      .execute();
    await insertLedgerEntries(stack.db, [
      {
        jobId,
        integrationId,
        resource: 'inventory',
        key: 'SKU-1',
        action: 'set',
        before: { available: 1 },
        after: { available: 3 },
        outcome: 'ok',
      },
      {
        jobId,
        integrationId,
        resource: 'inventory',
        key: 'SKU-2',
        action: 'link',
        outcome: 'failed',
        errorCode: 'AMBIGUOUS_SKU',
        errorMessage: 'listings "A", "B"\nboth carry it',
      },
      {
        jobId,
        integrationId,
        resource: 'inventory',
        key: 'SKU-3',
        action: 'link',
        outcome: 'failed',
        errorCode: 'UNMAPPED_SKU',
        errorMessage: 'none',
      },
    ]);
  });

  it('is searchable in GraphQL by integration, SKU, job and outcome, with cursor pages', async () => {
    const bySku = await gql<{ itemLedger: { nodes: { key: string; outcome: string; after: unknown }[] } }>(
      `query ($f: ItemLedgerFilter) { itemLedger(filter: $f) { nodes { key outcome after } } }`,
      { f: { integrationId, sku: 'SKU-1' } },
    );
    expect(bySku.data?.itemLedger.nodes).toEqual([{ key: 'SKU-1', outcome: 'OK', after: { available: 3 } }]);

    const first = await gql<{
      job: {
        items: {
          nodes: { key: string; errorCode: string }[];
          pageInfo: { hasNextPage: boolean; endCursor: string };
        };
      };
    }>(
      `query ($id: ID!) { job(id: $id) { items(outcome: FAILED, first: 1) { nodes { key errorCode } pageInfo { hasNextPage endCursor } } } }`,
      { id: jobId },
    );
    expect(first.data?.job.items.nodes).toEqual([{ key: 'SKU-3', errorCode: 'UNMAPPED_SKU' }]);
    expect(first.data?.job.items.pageInfo.hasNextPage).toBe(true);
    const second = await gql<{
      itemLedger: { nodes: { key: string }[]; pageInfo: { hasNextPage: boolean } };
    }>(
      `query ($f: ItemLedgerFilter, $after: String) { itemLedger(filter: $f, first: 1, after: $after) { nodes { key } pageInfo { hasNextPage } } }`,
      { f: { jobId, outcome: 'FAILED' }, after: first.data!.job.items.pageInfo.endCursor },
    );
    expect(second.data?.itemLedger).toEqual({ nodes: [{ key: 'SKU-2' }], pageInfo: { hasNextPage: false } });

    const bad = await gql(`{ itemLedger(filter: { jobId: "nope" }) { nodes { key } } }`);
    expect(bad.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
  });

  it('exports as CSV with proper quoting, and refuses bad parameters with a JSON 400', async () => {
    const res = await fetch(`${stack.url}/api/sync/jobs/${jobId}/items.csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const text = await res.text();
    const lines = text.split('\r\n');
    expect(lines[0]).toBe(
      'id,at,job_id,integration_id,resource,key,action,outcome,error_code,error_message,before,after',
    );
    expect(text).toContain(
      `,inventory,SKU-2,link,failed,AMBIGUOUS_SKU,"listings ""A"", ""B""\nboth carry it",,`,
    );
    expect(text).toContain(`,SKU-1,set,ok,,,"{""available"":1}","{""available"":3}"\r\n`);
    // The header and three rows: the message's line break stays inside its quoted field.
    expect(lines.filter((l) => l !== '')).toHaveLength(4);

    const failed = await fetch(
      `${stack.url}/api/sync/items.csv?integration_id=${integrationId}&outcome=failed`,
    );
    const failedRows = (await failed.text()).split('\r\n').filter((l) => l.includes('_SKU'));
    expect(failedRows).toHaveLength(2);

    const bad = await fetch(`${stack.url}/api/sync/items.csv?outcome=maybe`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED');
    const unknown = await fetch(`${stack.url}/api/sync/items.csv?colour=red`);
    expect(unknown.status).toBe(400);
    const missing = await fetch(`${stack.url}/api/sync/jobs/00000000-0000-4000-8000-000000000000/items.csv`);
    expect(missing.status).toBe(404);
  });

  it('a retry of the partly failed job reruns only its failed items', async () => {
    const retried = await gql<{
      retrySyncJob: { job: { id: string; options: { onlyItems: string[] | null } } };
    }>(`mutation ($id: ID!) { retrySyncJob(id: $id) { job { id options { onlyItems } } } }`, { id: jobId });
    expect(retried.errors).toBeUndefined();
    expect(retried.data!.retrySyncJob.job.options.onlyItems).toEqual(['SKU-2', 'SKU-3']);
    const row = await stack.db
      .selectFrom('sync_jobs')
      .select(['options', 'retry_of'])
      .where('id', '=', retried.data!.retrySyncJob.job.id)
      .executeTakeFirstOrThrow();
    expect(row.retry_of).toBe(jobId);
    expect(row.options).toMatchObject({ dryRun: true, onlyItems: ['SKU-2', 'SKU-3'] });
    await gql(`mutation ($id: ID!) { cancelSyncJob(id: $id) { id } }`, {
      id: retried.data!.retrySyncJob.job.id,
    });
  });
});
