/**
 * The dashboard's Monitor end to end: headless Chromium on the built client, served by the real API, with one
 * in-process worker, Postgres and Redis. The worker shows up online; a paused queue keeps a new job waiting while
 * the worker keeps beating, and runs it once resumed; a running job can be cancelled from the list; a purge asks
 * first (Escape backs out, by keyboard) and cancels the waiting jobs. Every wait is a locator or DOM wait with a
 * deadline; nothing sleeps.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSyncJobById } from '../../db/queries/sync-job.ts';
import { createSandboxIntegration, startTestStack, type TestStack } from '../helpers/stack.ts';
import { launchChromium, type Chromium } from './chromium.ts';
import { ensureClientBuilt } from './client-build.ts';

let stack: TestStack;
let browser: Chromium;
let page: Page;
let fastStore: string;
let slowStore: string;
const pageErrors: string[] = [];

/** Slow enough to see running and cancel: 60 SKUs, pages and batches of 5, 400 ms per platform call (~10 s). */
const SLOW_STORE = { products: 60, variantsPerProduct: 1, orders: 0, latencyMs: 400, pageSize: 5 };
const FAST_STORE = { products: 5, variantsPerProduct: 1, orders: 0, latencyMs: 5 };

beforeAll(async () => {
  ensureClientBuilt();
  stack = await startTestStack({ workers: 1 });
  fastStore = await createSandboxIntegration(stack.url, FAST_STORE);
  slowStore = await createSandboxIntegration(stack.url, SLOW_STORE);
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

const workerCard = () => page.locator(`[data-worker-id="${stack.workers[0]!.id}"]`);
const queueCard = (queue: string) => page.locator(`article.queue-monitor[data-queue="${queue}"]`);
/** A figure of a queue card once it reads exactly `value`. */
const figure = (queue: string, name: string, value: string | RegExp) =>
  queueCard(queue).locator(`[data-figure="${name}"] dd`, {
    hasText: typeof value === 'string' ? new RegExp(`^${value}$`) : value,
  });
const runningRow = (id: string) => page.locator(`table[aria-label="Running jobs"] tr[data-job-id="${id}"]`);
const status = async (id: string) => (await findSyncJobById(stack.db, id))?.status;

/** Resolves once the worker card shows a heartbeat later than `since` (an ISO instant); returns that beat. */
async function nextBeat(since: string): Promise<string> {
  const handle = await page.waitForFunction(
    ([id, after]) => {
      const seen = document.querySelector(`[data-worker-id="${id}"]`)?.getAttribute('data-last-seen') ?? '';
      return Date.parse(seen) > Date.parse(after) ? seen : false;
    },
    [stack.workers[0]!.id, since] as const,
  );
  return (await handle.jsonValue()) as string;
}

async function focusedLabel(): Promise<string | null> {
  return page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? null);
}

async function pauseFromCard(queue: string, label: string): Promise<void> {
  await queueCard(queue)
    .getByRole('button', { name: `Pause queue ${label}` })
    .click();
  await page.locator(`article.queue-monitor[data-queue="${queue}"][data-paused="true"]`).waitFor();
  // The worker applied it (it reports the queue paused at its next beat): from now on it takes nothing.
  await workerCard().locator(`[data-worker-queue="${queue}"][data-paused="true"]`).waitFor();
}

async function resumeFromCard(queue: string, label: string): Promise<void> {
  await queueCard(queue)
    .getByRole('button', { name: `Resume queue ${label}` })
    .click();
  await page.locator(`article.queue-monitor[data-queue="${queue}"][data-paused="false"]`).waitFor();
  await workerCard().locator(`[data-worker-queue="${queue}"][data-paused="false"]`).waitFor();
}

describe('dashboard monitor', () => {
  it('shows the worker, pauses and resumes a queue, cancels a running job and purges with confirmation', async () => {
    await page.goto(`${stack.url}/dashboard/sync`);
    await page.locator('.connection-live').waitFor();
    await page.evaluate(() => ((globalThis as { __noReload?: boolean }).__noReload = true));
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Monitor' }).click();
    await page.waitForURL('**/dashboard/sync/monitor');
    await page.getByRole('heading', { name: 'Monitor', level: 1 }).waitFor();

    // The in-process worker, online, with its queues.
    await page.locator(`[data-worker-id="${stack.workers[0]!.id}"][data-online="true"]`).waitFor();
    await workerCard().getByText('Online', { exact: true }).waitFor();
    await workerCard().locator('[data-worker-queue="SYNC_PRODUCTS"][data-paused="false"]').waitFor();
    await page.getByText('1 online').waitFor();
    await page.getByText('Nothing is running').waitFor();

    // Pause sync_products: the card says so, and Resume replaces Pause.
    await pauseFromCard('SYNC_PRODUCTS', 'sync_products');
    await queueCard('SYNC_PRODUCTS').getByText('Paused', { exact: true }).waitFor();
    await queueCard('SYNC_PRODUCTS').getByRole('button', { name: 'Resume queue sync_products' }).waitFor();
    expect(
      await queueCard('SYNC_PRODUCTS').getByRole('button', { name: 'Pause queue sync_products' }).count(),
    ).toBe(0);

    // A job on the paused queue waits: the card counts it, and two heartbeats later it is still QUEUED.
    const { job: held } = await stack.api.services.jobs.create({
      integrationId: fastStore,
      syncType: 'PRODUCTS',
    });
    expect(held.queue).toBe('sync_products');
    await figure('SYNC_PRODUCTS', 'waiting', '1').waitFor();
    const beat = await workerCard().getAttribute('data-last-seen');
    await nextBeat(await nextBeat(beat!));
    expect(await status(held.id)).toBe('QUEUED');
    expect(await figure('SYNC_PRODUCTS', 'active', '0').count()).toBe(1);
    expect(await figure('SYNC_PRODUCTS', 'waiting', '1').count()).toBe(1);
    expect(await runningRow(held.id).count()).toBe(0);

    // Resume: the worker takes it and it completes.
    await resumeFromCard('SYNC_PRODUCTS', 'sync_products');
    await figure('SYNC_PRODUCTS', 'completed', '1').waitFor();
    await figure('SYNC_PRODUCTS', 'waiting', '0').waitFor();
    expect(await status(held.id)).toBe('COMPLETED');
    // Its performance shows up (read again when a job finishes): something completed in the last minute.
    await queueCard('SYNC_PRODUCTS')
      .locator('td[data-window="1"][data-measure="completed"]', { hasText: /^(?!0$).+/ })
      .waitFor();

    // A slow job: listed as running with a moving bar, linked from the worker card, and cancellable from here.
    const { job: slow } = await stack.api.services.jobs.create({
      integrationId: slowStore,
      syncType: 'PRODUCTS',
      options: { fullSync: true, batchSize: 5 },
    });
    await runningRow(slow.id).waitFor();
    await runningRow(slow.id).locator('[role="progressbar"]:not([aria-valuenow="0"])').waitFor();
    await workerCard()
      .getByRole('link', { name: `Job ${slow.id}` })
      .waitFor();
    await runningRow(slow.id)
      .getByRole('button', { name: `Cancel job ${slow.id.slice(0, 8)}` })
      .click();
    await runningRow(slow.id).waitFor({ state: 'detached' });
    expect(await status(slow.id)).toBe('CANCELLED');
    await page.getByText('Nothing is running').waitFor();
    await workerCard()
      .getByRole('link', { name: `Job ${slow.id}` })
      .waitFor({ state: 'detached' });

    // Purge: two jobs wait on the paused queue.
    await pauseFromCard('SYNC_PRODUCTS', 'sync_products');
    const { job: first } = await stack.api.services.jobs.create({
      integrationId: fastStore,
      syncType: 'PRODUCTS',
    });
    const { job: second } = await stack.api.services.jobs.create({
      integrationId: slowStore,
      syncType: 'PRODUCTS',
    });
    await figure('SYNC_PRODUCTS', 'waiting', '2').waitFor();

    // By keyboard: Enter opens the dialog on Cancel (the safe choice); Escape backs out and nothing is purged.
    const purge = queueCard('SYNC_PRODUCTS').getByRole('button', { name: 'Purge queue sync_products' });
    await purge.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Purge queue sync_products?' });
    await dialog.waitFor();
    await dialog.getByText('2 jobs', { exact: true }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await focusedLabel()).toBe('Purge queue sync_products');
    expect([await status(first.id), await status(second.id)]).toEqual(['QUEUED', 'QUEUED']);

    // Again, and confirm: both waiting jobs are cancelled and the card says how many.
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Purge 2 jobs');
    await page.keyboard.press('Enter');
    await queueCard('SYNC_PRODUCTS').getByText('Purged sync_products: 2 waiting jobs cancelled.').waitFor();
    await dialog.waitFor({ state: 'detached' });
    expect(await focusedLabel()).toBe('Purge queue sync_products');
    expect([await status(first.id), await status(second.id)]).toEqual(['CANCELLED', 'CANCELLED']);
    await figure('SYNC_PRODUCTS', 'waiting', '0').waitFor();

    await resumeFromCard('SYNC_PRODUCTS', 'sync_products');
    expect(await page.evaluate(() => (globalThis as { __noReload?: boolean }).__noReload)).toBe(true);
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
