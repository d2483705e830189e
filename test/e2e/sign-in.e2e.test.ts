/**
 * Signing in to the built dashboard in Chromium, against an API that requires keys: the sign-in screen, a live
 * dashboard once signed in (name and role shown), the key never in the URL or history, still signed in after a
 * reload (sessionStorage), and signed out by itself when the key is revoked.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/stack.ts';
import { launchChromium, type Chromium } from './chromium.ts';
import { ensureClientBuilt } from './client-build.ts';

let stack: TestStack;
let browser: Chromium;
let page: Page;

beforeAll(async () => {
  ensureClientBuilt();
  stack = await startTestStack({ env: { API_AUTH: 'required' } });
  await stack.api.services.integrations.create({ name: 'Signed store' });
  browser = await launchChromium();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.setDefaultTimeout(20_000);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('dashboard sign-in', () => {
  it('signs in with a key kept out of the URL, and out again when the key is revoked', async () => {
    const { key, secret } = await stack.api.access.keys.create({ name: 'browser key', role: 'viewer' });
    await page.goto(`${stack.url}/dashboard/sync`);
    const input = page.getByLabel('API key');
    await input.waitFor();

    await input.fill('so_000000000000_' + 'A'.repeat(43));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'not valid' }).waitFor();

    await input.fill(secret);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('signed-in-as').filter({ hasText: 'browser key (viewer)' }).waitFor();
    await page.getByRole('link', { name: 'Sync jobs' }).first().waitFor();
    await page.getByText('Live').first().waitFor();

    const urls = [page.url(), ...(await page.evaluate(() => [document.referrer, window.location.href]))];
    for (const url of urls) expect(url).not.toContain(secret);
    expect(page.url()).toBe(`${stack.url}/dashboard/sync`);
    expect(await page.evaluate(() => window.history.length)).toBeLessThanOrEqual(2);
    expect(await page.evaluate(() => window.localStorage.length)).toBe(0);

    await page.reload();
    await page.getByTestId('signed-in-as').filter({ hasText: 'browser key' }).waitFor();
    expect(page.url()).not.toContain(secret);

    await stack.api.access.keys.revoke(key.id);
    await input.waitFor();
    await page.getByRole('alert').filter({ hasText: 'no longer accepts' }).waitFor();
    expect(await page.evaluate(() => window.sessionStorage.length)).toBe(0);
  });
});
