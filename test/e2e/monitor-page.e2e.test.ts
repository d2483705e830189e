/**
 * The monitor's own page in headless Chromium, behind Basic auth: it lists the live worker and the eight queues,
 * and its Pause, Purge (after a confirmation) and Resume buttons act on the real system.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSyncJobById } from '../../db/queries/sync-job.ts';
import { listPausedQueues } from '../../db/queries/queue-control.ts';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { buildMonitorApp, type MonitorApp } from '../../server/monitor/app.ts';
import { createSandboxIntegration, startTestStack, type TestStack } from '../helpers/stack.ts';
import { waitFor } from '../helpers/wait.ts';
import { CHROMIUM_PATH } from './chromium.ts';

const hasChromium = existsSync(CHROMIUM_PATH);
let stack: TestStack;
let monitor: MonitorApp;
let url: string;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

beforeAll(async () => {
  if (!hasChromium) return;
  stack = await startTestStack({ workers: 1 });
  const config = loadConfig({ ...stack.env, FLOWER_BASIC_AUTH: 'ops:pw', FLOWER_URL_PREFIX: '/flower' });
  monitor = buildMonitorApp({ config, db: stack.db, log: createLogger({ name: 'test', level: 'silent' }) });
  url = (await monitor.start(0, '127.0.0.1')).url;
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox'] });
  const context = await browser.newContext({ httpCredentials: { username: 'ops', password: 'pw' } });
  page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (err) => consoleErrors.push(err.message));
});

afterAll(async () => {
  await browser?.close();
  await monitor?.stop();
  await stack?.stop();
});

describe.skipIf(!hasChromium)('monitor page', () => {
  it('lists the worker and the queues; Pause, Purge and Resume work', async () => {
    await page.goto(`${url}/flower/`);
    await page.getByText(stack.workers[0]!.id).waitFor();
    await page.getByRole('heading', { name: 'Workers (1 online of 1)' }).waitFor();
    const queueRows = page.locator('#queues tbody tr');
    await waitFor('eight queue rows', async () => (await queueRows.count()) === 8);

    const products = page.locator('#queues tbody tr', { hasText: 'sync_products' });
    await products.getByRole('button', { name: 'Pause' }).click();
    await products.getByText('paused', { exact: true }).waitFor();
    expect(await listPausedQueues(stack.db)).toEqual(['sync_products']);
    // The worker reports it at its next heartbeat, and the page shows that too.
    await page.locator('#workers tbody tr', { hasText: 'sync_products' }).waitFor();

    const integrationId = await createSandboxIntegration(stack.url, { products: 2, orders: 0 });
    const { job } = await stack.api.services.jobs.create({ integrationId, syncType: 'PRODUCTS' });
    await products.locator('td').nth(1).getByText('1', { exact: true }).waitFor();
    page.once('dialog', (dialog) => {
      expect(dialog.message()).toContain('Cancel every waiting job of sync_products (1 now)');
      void dialog.accept();
    });
    await products.getByRole('button', { name: 'Purge' }).click();
    await page.getByText('Purged 1 job(s) from sync_products').waitFor();
    expect((await findSyncJobById(stack.db, job.id))?.status).toBe('CANCELLED');

    await products.getByRole('button', { name: 'Resume' }).click();
    await products.getByRole('button', { name: 'Pause' }).waitFor();
    expect(await listPausedQueues(stack.db)).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
