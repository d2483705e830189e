/**
 * The dashboard end to end: headless Chromium on the built client, served by the real API, with an in-process
 * worker, Postgres and Redis. Everything the operator sees must move by itself: the page is never reloaded (a
 * marker set on the window at the start is still there at the end).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxIntegration, startTestStack, type TestStack } from '../helpers/stack.ts';
import { launchChromium, type Chromium } from './chromium.ts';
import { ensureClientBuilt } from './client-build.ts';

let stack: TestStack;
let browser: Chromium;
let page: Page;
const pageErrors: string[] = [];

/** Slow enough to cancel while it runs: 60 SKUs, pages and batches of 5, 400 ms per platform call (~10 s). */
const SLOW_STORE = { products: 60, variantsPerProduct: 1, orders: 0, latencyMs: 400, pageSize: 5 };

beforeAll(async () => {
  ensureClientBuilt();
  stack = await startTestStack({ workers: 1 });
  await createSandboxIntegration(stack.url, SLOW_STORE).then((id) =>
    // Named, so the UI can pick it.
    fetch(`${stack.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation($id: ID!) { updateIntegration(id: $id, input: { name: "Slow store" }) { id } }',
        variables: { id },
      }),
    }),
  );
  browser = await launchChromium();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (err) => pageErrors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') pageErrors.push(`console: ${msg.text()}`);
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const row = (id: string) => page.locator(`tr[data-job-id="${id}"]`);
const queueFigure = (queue: string, figure: string) =>
  page.locator(`[data-queue="${queue}"] [data-figure="${figure}"] dd`);

/** Waits, with a deadline, until `read` returns something `accept` likes; returns it. */
async function until<T>(what: string, read: () => Promise<T>, accept: (v: T) => boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (accept(last)) return last;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what} (last: ${String(last)})`);
    await page.waitForTimeout(50);
  }
}

async function createJobFromForm(integrationName: string, batchSize: string): Promise<string> {
  const form = page.getByRole('form', { name: 'Create one sync job' });
  await form.getByLabel('Integration').selectOption({ label: integrationName });
  await form.getByLabel('Type').selectOption('PRODUCTS');
  await form.getByLabel('Batch size').fill(batchSize);
  await form.getByLabel('Full sync').check();
  const created = form.locator('[data-created-job]');
  const previous = (await created.count()) > 0 ? await created.getAttribute('data-created-job') : null;
  await form.getByRole('button', { name: 'Create job' }).click();
  const id = await until(
    'the created job id',
    async () => ((await created.count()) > 0 ? await created.getAttribute('data-created-job') : null),
    (v) => !!v && v !== previous,
  );
  return id!;
}

describe('dashboard', () => {
  it('creates, watches and cancels jobs live, without reloading', async () => {
    await page.goto(`${stack.url}/`);
    await page.waitForURL('**/dashboard/sync');
    await page.evaluate(() => ((globalThis as { __noReload?: boolean }).__noReload = true));
    await page.locator('.connection-live').waitFor();

    // Integrations page: create the fast sandbox store from the UI.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Integrations' }).click();
    await page.getByRole('button', { name: 'New integration' }).click();
    const integrationForm = page.getByRole('form', { name: 'Create a sandbox integration' });
    await integrationForm.getByLabel('Name').fill('Fast store');
    await integrationForm.getByLabel('Products').fill('30');
    await integrationForm.getByLabel('Variants per product').fill('1');
    await integrationForm.getByLabel('Orders').fill('0');
    await integrationForm.getByLabel('Latency per call (ms)').fill('10');
    await integrationForm.getByRole('button', { name: 'Create integration' }).click();
    await page.getByRole('article', { name: 'Integration Fast store' }).waitFor();

    // Back to the sync screen, client-side.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sync jobs' }).click();
    await page.waitForURL('**/dashboard/sync');
    await queueFigure('SYNC_PRODUCTS', 'completed').waitFor();
    expect(await queueFigure('SYNC_PRODUCTS', 'completed').textContent()).toBe('0');
    await page.getByRole('button', { name: 'New job' }).click();

    // A fast job: its row appears, the bar reaches 100 % and the row turns COMPLETED.
    const fastId = await createJobFromForm('Fast store', '5');
    await row(fastId).waitFor();
    await row(fastId).locator('[role="progressbar"][aria-valuenow="100"]').waitFor();
    await row(fastId).locator('[data-status="COMPLETED"]').first().waitFor();
    expect(await row(fastId).getAttribute('data-status')).toBe('COMPLETED');
    await until(
      'the completed count of sync_products',
      () => queueFigure('SYNC_PRODUCTS', 'completed').textContent(),
      (v) => v === '1',
    );

    // A slow job: it runs, and the queue card counts it as active.
    const slowId = await createJobFromForm('Slow store', '5');
    await row(slowId).locator('[data-status="RUNNING"]').first().waitFor();
    await until(
      'sync_products active = 1',
      () => queueFigure('SYNC_PRODUCTS', 'active').textContent(),
      (v) => v === '1',
    );
    await until(
      'the Running total',
      () => page.locator('[data-total="RUNNING"] .total-count').textContent(),
      (v) => v === '1',
    );
    const progress = row(slowId).getByRole('progressbar');
    await until(
      'the slow job to make progress',
      () => progress.getAttribute('aria-valuenow'),
      (v) => Number(v) > 0,
    );

    // Cancel it from the detail view.
    await row(slowId)
      .getByRole('link', { name: `Job ${slowId}` })
      .click();
    await page.waitForURL(`**/dashboard/sync/jobs/${slowId}`);
    const detail = page.locator(`article.job-detail[data-job-id="${slowId}"]`);
    await detail.waitFor();
    expect(await detail.getAttribute('data-status')).toBe('RUNNING');
    await detail.getByRole('button', { name: 'Cancel job' }).click();
    await page.locator(`article.job-detail[data-status="CANCELLED"]`).waitFor();
    await detail.locator('.job-header .badge', { hasText: 'CANCELLED' }).waitFor();
    await detail
      .getByRole('list', { name: 'Job timeline' })
      .getByText('Cancelled', { exact: true })
      .waitFor();
    await detail.getByRole('button', { name: 'Retry' }).waitFor();

    // Back (history, not a reload): the row settled as CANCELLED, the card no longer counts it.
    await page.goBack();
    await page.waitForURL('**/dashboard/sync');
    await row(slowId).locator('[data-status="CANCELLED"]').first().waitFor();
    await until(
      'sync_products active = 0',
      () => queueFigure('SYNC_PRODUCTS', 'active').textContent(),
      (v) => v === '0',
    );
    await until(
      'the Cancelled total',
      () => page.locator('[data-total="CANCELLED"] .total-count').textContent(),
      (v) => v === '1',
    );
    expect(await row(fastId).getAttribute('data-status')).toBe('COMPLETED');

    expect(await page.evaluate(() => (globalThis as { __noReload?: boolean }).__noReload)).toBe(true);
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('serves client-side routes from index.html and hashed assets with long-lived caching', async () => {
    const deep = await fetch(`${stack.url}/dashboard/sync/jobs/00000000-0000-4000-8000-000000000000`);
    expect(deep.status).toBe(200);
    expect(deep.headers.get('content-type')).toContain('text/html');
    const html = await deep.text();
    const asset = /src="(\/dashboard\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeTruthy();
    const js = await fetch(`${stack.url}${asset}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${stack.url}/dashboard/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${stack.url}/dashboard/..%2f..%2fpackage.json`)).status).toBe(404);
    const root = await fetch(`${stack.url}/`, { redirect: 'manual' });
    expect(root.headers.get('location')).toBe('/dashboard/sync');

    // A job that does not exist: the detail view says so with the API's code.
    await page.goto(`${stack.url}/dashboard/sync/jobs/00000000-0000-4000-8000-000000000000`);
    await page.getByText('JOB_NOT_FOUND').first().waitFor();
    await page.goto(`${stack.url}/dashboard/sync/jobs/not-a-uuid`);
    await page.getByText('VALIDATION_FAILED').first().waitFor();
  });
});
