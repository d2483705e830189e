/**
 * Connecting a real platform from the dashboard, end to end: headless Chromium on the built client, the real API
 * and a worker, and the Bling and Nuvemshop emulators. The operator creates a Nuvemshop integration with the form
 * (a wrong store id is refused beside its input first), quick-syncs its products, and reads on the job's page what
 * happened to each SKU (the item ledger), then finds one SKU again on the ledger page.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createIntegrationOverApi,
  NUVEMSHOP_USER_AGENT,
  platformInputs,
  runSyncJob,
  startPlatforms,
  type Platforms,
} from '../helpers/platforms.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';
import { launchChromium, type Chromium } from './chromium.ts';
import { ensureClientBuilt } from './client-build.ts';

let stack: TestStack;
let platforms: Platforms;
let browser: Chromium;
let page: Page;
const pageErrors: string[] = [];

const CATALOG = [
  { sku: 'CAM-001', name: 'Camiseta básica', price: '49.90' },
  { sku: 'CAL-002', name: 'Calça jeans', price: '129.00' },
  { sku: 'BON-004', name: 'Boné aba reta', price: '39.00' },
];

beforeAll(async () => {
  ensureClientBuilt();
  platforms = await startPlatforms();
  stack = await startTestStack({ workers: 1 });
  // The ERP side exists already (created over the API) and its catalog is in the hub.
  const bling = await createIntegrationOverApi(stack.url, platformInputs(platforms).bling);
  platforms.bling.seed({
    warehouses: [{ id: 1, name: 'Geral', default: true }],
    products: CATALOG,
    stock: CATALOG.map((c) => ({ sku: c.sku, warehouseId: 1, quantity: 5 })),
  });
  await runSyncJob(stack.url, stack.db, bling, 'PRODUCTS', {}, 60_000);

  browser = await launchChromium();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (err) => pageErrors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    // The refused create answers 200 with a GraphQL error; a failed resource load would be a real problem.
    if (msg.type() === 'error') pageErrors.push(`console: ${msg.text()}`);
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await platforms?.close();
});

describe('a Nuvemshop integration from the dashboard', () => {
  it('is created with the form, syncs its products, and its job lists every SKU in the ledger', async () => {
    await page.goto(`${stack.url}/dashboard/integrations`);
    await page.getByRole('button', { name: 'New integration' }).click();
    await page.getByLabel('Platform').selectOption('NUVEMSHOP');
    const form = page.getByRole('form', { name: 'Create a Nuvemshop integration' });
    await form.getByLabel('Name').fill('Loja Nuvem');
    await form.getByLabel('Base URL').fill(platforms.nuvemshop.baseUrl());
    await form.getByLabel('Store id').fill('loja-5100');
    await form.getByLabel('User-Agent').fill(NUVEMSHOP_USER_AGENT);
    expect(await form.getByLabel('Access token').getAttribute('type')).toBe('password');
    await form.getByLabel('Access token').fill(platforms.nuvemshopStore.token);

    // The server's schema refuses the store id: the problem shows beside the input, nothing is created.
    await form.getByRole('button', { name: 'Create integration' }).click();
    await form.locator('[data-field="storeId"][aria-invalid="true"]').waitFor();
    expect(await form.locator('.field-error').first().textContent()).toContain(
      'storeId must be the numeric id',
    );
    expect(await form.getByRole('alert').textContent()).toContain('VALIDATION_FAILED');

    await form.getByLabel('Store id').fill(platforms.nuvemshopStore.id);
    await form.getByRole('button', { name: 'Create integration' }).click();
    const card = page.getByRole('article', { name: 'Integration Loja Nuvem' });
    await card.waitFor();
    expect(await card.locator('[data-role]').textContent()).toBe('Sales channel');
    expect(await card.textContent()).toContain('credentials stored');
    // Write-only: the token typed in is nowhere on the page any more.
    expect(await page.content()).not.toContain(platforms.nuvemshopStore.token);

    // Quick sync of products only, then the job's page.
    await card.getByLabel('Inventory').uncheck();
    await card.getByLabel('Orders').uncheck();
    await card.getByRole('button', { name: 'Quick sync' }).click();
    await card.getByRole('status').getByRole('link', { name: 'Products' }).click();
    await page.waitForURL('**/dashboard/sync/jobs/*');
    await page.locator('article.job-detail[data-status="COMPLETED"]').waitFor({ timeout: 60_000 });
    const jobId = await page.locator('article.job-detail').getAttribute('data-job-id');

    // The ledger: one row per SKU the job wrote to the store.
    const items = page.locator(`[data-job-items="${jobId}"]`);
    const rows = items.locator('tbody tr');
    await rows.nth(CATALOG.length - 1).waitFor();
    const keys = await rows.locator('th').allTextContents();
    expect([...keys].sort()).toEqual(CATALOG.map((c) => c.sku).sort());
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-outcome')))).toEqual(
      CATALOG.map(() => 'OK'),
    );
    const camiseta = rows.filter({ has: page.locator('th', { hasText: 'CAM-001' }) });
    expect(await camiseta.textContent()).toContain('49.90');

    // The outcome filter reads the failed ones: none.
    await items.getByLabel('Outcome').selectOption('FAILED');
    await items.getByText('No failed items').waitFor();
    await items.getByLabel('Outcome').selectOption('');
    await rows.nth(CATALOG.length - 1).waitFor();

    // The CSV link serves the same rows.
    const href = await items.getByRole('link', { name: 'Download CSV' }).getAttribute('href');
    expect(href).toBe(`/api/sync/jobs/${jobId}/items.csv`);
    const csv = await (await fetch(`${stack.url}${href}`)).text();
    for (const c of CATALOG) expect(csv).toContain(c.sku);

    // The ledger page finds one SKU across jobs.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Item ledger' }).click();
    await page.waitForURL('**/dashboard/sync/ledger');
    const search = page.getByRole('search', { name: 'Search items' });
    await search.getByLabel('Integration').selectOption({ label: 'Loja Nuvem' });
    await search.getByLabel('SKU or order').fill('CAL-002');
    await search.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL('**/dashboard/sync/ledger?*key=CAL-002*');
    const found = page.getByRole('table', { name: 'Ledger items' }).locator('tbody tr');
    await found.first().waitFor();
    expect(await found.count()).toBe(1);
    expect(await found.locator('th').textContent()).toBe('CAL-002');
    expect(await found.getByRole('link').textContent()).toBe(jobId!.slice(0, 8));

    expect(pageErrors).toEqual([]);
  }, 180_000);
});
