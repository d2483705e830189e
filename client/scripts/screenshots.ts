/**
 * Screenshots of the dashboard for the README: `npm run screenshots [-- --url http://localhost:8000 --out
 * docs/screenshots --no-seed]`. Needs a running stack serving the built dashboard (`npm run build:client`, then
 * `npm start`) and Debian's chromium. Unless --no-seed, it first creates a few sandbox integrations and a mix of
 * jobs (fast, slow, failing, cancelled, scheduled) through the public GraphQL API, and waits until some are
 * running, some completed and some failed. For the Monitor it pauses sync_orders with a job waiting in it (and
 * resumes it at the end) and starts one more slow job, so a paused queue and a running job are on the picture.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { launchChromium } from '../../test/e2e/chromium.ts';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://localhost:8000' },
    out: { type: 'string', default: 'docs/screenshots' },
    'no-seed': { type: 'boolean', default: false },
  },
});
const BASE = values.url.replace(/\/$/, '');
const OUT = resolve(values.out);

async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(`${BASE}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as {
    data?: T;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
  if (body.errors?.length) {
    throw new Error(body.errors.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`).join('; '));
  }
  return body.data as T;
}

async function createIntegration(
  name: string,
  settings: Record<string, unknown>,
  enabled = true,
): Promise<string> {
  const data = await gql<{ createIntegration: { id: string } }>(
    'mutation($input: CreateIntegrationInput!) { createIntegration(input: $input) { id } }',
    { input: { name, settings, enabled } },
  );
  return data.createIntegration.id;
}

interface JobInput {
  integrationId: string;
  syncType: string;
  priority?: string;
  maxAttempts?: number;
  runAt?: string;
  options?: { fullSync?: boolean; batchSize?: number };
}

async function createJob(input: JobInput): Promise<string> {
  const data = await gql<{ createSyncJob: { job: { id: string } } }>(
    'mutation($input: CreateSyncJobInput!) { createSyncJob(input: $input) { job { id } } }',
    { input },
  );
  return data.createSyncJob.job.id;
}

async function totals(): Promise<Record<string, number>> {
  const data = await gql<{ queueStats: { totals: Record<string, number> } }>(
    '{ queueStats { totals { queued running completed failed cancelled } } }',
  );
  return data.queueStats.totals;
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      console.warn(`(gave up waiting for ${what}; taking the screenshots anyway)`);
      return;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A mix of outcomes: what an operator's morning looks like. Returns ids worth a detail screenshot. */
async function seed(): Promise<{ failed: string; running: string; slowStore: string; store: string }> {
  const acme = await createIntegration('Acme ERP', {
    products: 400,
    variantsPerProduct: 2,
    orders: 150,
    latencyMs: 10,
  });
  const nuvem = await createIntegration('Loja Nuvem', {
    products: 300,
    orders: 120,
    latencyMs: 250,
    pageSize: 10,
  });
  const flaky = await createIntegration('Mercado Flaky', {
    products: 80,
    orders: 40,
    latencyMs: 10,
    failureRate: 0.95,
  });
  await createIntegration('Legacy store', { products: 20 }, false);

  await gql('mutation($jobs: [CreateSyncJobInput!]!) { bulkCreateSyncJobs(jobs: $jobs) { createdCount } }', {
    jobs: ['PRODUCTS', 'INVENTORY', 'ORDERS'].map((syncType) => ({ integrationId: acme, syncType })),
  });
  await gql('mutation($id: ID!) { quickSync(integrationId: $id, syncTypes: [INVENTORY]) { jobs { id } } }', {
    id: acme,
  });
  const failed = await createJob({ integrationId: flaky, syncType: 'PRODUCTS', maxAttempts: 1 });
  await createJob({ integrationId: flaky, syncType: 'ORDERS', priority: 'HIGH', maxAttempts: 1 });
  await createJob({ integrationId: flaky, syncType: 'INVENTORY', maxAttempts: 3 });
  const running = await createJob({
    integrationId: nuvem,
    syncType: 'PRODUCTS',
    priority: 'URGENT',
    options: { fullSync: true, batchSize: 10 },
  });
  await createJob({ integrationId: nuvem, syncType: 'ORDERS', options: { batchSize: 20 } });
  await createJob({
    integrationId: nuvem,
    syncType: 'INVENTORY',
    priority: 'LOW',
    runAt: new Date(Date.now() + 3600_000).toISOString(),
  });
  const doomed = await createJob({ integrationId: nuvem, syncType: 'ALL', priority: 'NORMAL' });
  await gql('mutation($id: ID!) { cancelSyncJob(id: $id) { id } }', { id: doomed });

  await waitUntil(
    'a mix of running, completed and failed jobs',
    async () => {
      const t = await totals();
      return (t.completed ?? 0) >= 3 && (t.failed ?? 0) >= 2 && (t.running ?? 0) >= 1;
    },
    90_000,
  );
  return { failed, running, slowStore: nuvem, store: acme };
}

/** A paused queue with a job waiting in it, and a slow job running: what the Monitor is for. */
async function seedMonitor(ids: { slowStore: string; store: string }): Promise<() => Promise<void>> {
  await gql('mutation { pauseQueue(name: SYNC_ORDERS) { paused } }');
  await createJob({ integrationId: ids.store, syncType: 'ORDERS', options: { fullSync: true } });
  await createJob({
    integrationId: ids.slowStore,
    syncType: 'PRODUCTS',
    priority: 'HIGH',
    options: { fullSync: true, batchSize: 10 },
  });
  await waitUntil('the slow job to run', async () => ((await totals()).running ?? 0) >= 1, 30_000);
  return async () => {
    await gql('mutation { resumeQueue(name: SYNC_ORDERS) { paused } }');
  };
}

async function settle(page: Page): Promise<void> {
  await page.locator('.connection-live').waitFor({ timeout: 20_000 });
  await page.waitForLoadState('networkidle').catch(() => undefined);
  await page.evaluate(() => document.fonts.ready);
  // One more second so progress bars finish their CSS transition.
  await page.waitForTimeout(1000);
}

async function shoot(page: Page, name: string, fullPage = true): Promise<void> {
  const path = join(OUT, `${name}.png`);
  await page.screenshot({ path, fullPage });
  console.log(`wrote ${path}`);
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const ids = values['no-seed'] ? null : await seed();
  const undoMonitor = ids ? await seedMonitor(ids) : null;
  try {
    await photograph(ids);
  } finally {
    await undoMonitor?.();
  }
}

async function photograph(ids: { failed: string; running: string } | null): Promise<void> {
  const desktop = await launchChromium({ viewport: { width: 1440, height: 900 } });
  try {
    const page = desktop.context.pages()[0] ?? (await desktop.context.newPage());
    await page.goto(`${BASE}/dashboard/sync`);
    await page.locator('tbody tr').first().waitFor({ timeout: 20_000 });
    await settle(page);
    await shoot(page, 'sync-overview');

    await page.getByRole('button', { name: 'New job' }).click();
    await page.getByRole('form', { name: 'Create one sync job' }).waitFor();
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(OUT, 'new-job.png'), clip: { x: 0, y: 0, width: 1440, height: 520 } });
    console.log(`wrote ${join(OUT, 'new-job.png')}`);
    await page.getByRole('button', { name: 'Close' }).click();

    await page.goto(`${BASE}/dashboard/sync?status=FAILED,CANCELLED`);
    await page.locator('tbody tr').first().waitFor({ timeout: 20_000 });
    await settle(page);
    await shoot(page, 'sync-filtered');

    if (ids) {
      await page.goto(`${BASE}/dashboard/sync/jobs/${ids.running}`);
      await page.locator('article.job-detail').waitFor();
      await settle(page);
      await shoot(page, 'job-running');
      await page.goto(`${BASE}/dashboard/sync/jobs/${ids.failed}`);
      await page.locator('article.job-detail').waitFor();
      await settle(page);
      await shoot(page, 'job-failed');
    }

    await page.goto(`${BASE}/dashboard/integrations`);
    await page.locator('.integration-card').first().waitFor();
    await settle(page);
    await shoot(page, 'integrations');

    await page.goto(`${BASE}/dashboard/sync/monitor`);
    await page.locator('.worker-card').first().waitFor({ timeout: 20_000 });
    await page.locator('.queue-monitor').first().waitFor({ timeout: 20_000 });
    await settle(page);
    await shoot(page, 'monitor');

    const paused = page.locator('.queue-monitor[data-paused="true"]').first();
    if ((await paused.count()) > 0) {
      await paused.getByRole('button', { name: /^Purge queue/ }).click();
      await page.getByRole('dialog').waitFor();
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(OUT, 'monitor-purge.png') });
      console.log(`wrote ${join(OUT, 'monitor-purge.png')}`);
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    }
  } finally {
    await desktop.close();
  }

  const phone = await launchChromium({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
  try {
    const page = phone.context.pages()[0] ?? (await phone.context.newPage());
    await page.goto(`${BASE}/dashboard/sync`);
    await page.locator('tbody tr').first().waitFor({ timeout: 20_000 });
    await settle(page);
    await shoot(page, 'sync-phone', false);
    await page.evaluate(() => document.getElementById('jobs-title')?.scrollIntoView());
    await page.waitForTimeout(300);
    await shoot(page, 'sync-phone-jobs', false);

    await page.goto(`${BASE}/dashboard/sync/monitor`);
    await page.locator('.worker-card').first().waitFor({ timeout: 20_000 });
    await settle(page);
    await shoot(page, 'monitor-phone', false);
  } finally {
    await phone.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
