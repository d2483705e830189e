/**
 * End to end through the hub, against the platform emulators, about the platforms' limits: three jobs at once on
 * one Bling integration stay within its 3 calls per second (the emulator's request log on its clock); several
 * Mercado Livre jobs with a dead access token refresh it once and never reuse a refresh token; and credentials that
 * get 401 on every call pause the integration instead of burning the job's attempts, while other integrations run
 * and a reconnect lets the job finish.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBreakerState } from '../../db/queries/integration-breaker.ts';
import { DEFAULT_BREAKER_POLICY } from '../../server/connectors/http/breaker.ts';
import { createLogger } from '../../server/logger.ts';
import { createWorker } from '../../server/worker/worker.ts';
import type { RequestLogEntry } from '../emulators/kit.ts';
import {
  createIntegrationOverApi,
  platformInputs,
  queueSyncJob,
  runSyncJob,
  startPlatforms,
  waitForEnd,
  type Platforms,
} from '../helpers/platforms.ts';
import { gql, startTestStack, type TestStack } from '../helpers/stack.ts';
import { waitFor, waitForJob } from '../helpers/wait.ts';

let stack: TestStack;
let p: Platforms;

const SKUS = Array.from({ length: 30 }, (_, i) => `LIM-${String(i + 1).padStart(3, '0')}`);

beforeAll(async () => {
  p = await startPlatforms();
  stack = await startTestStack({ env: { WORKER_CONCURRENCY: '6' } });
  // A worker whose jobs look at a credentials pause again after 300 ms instead of 30 s.
  const worker = createWorker({
    config: stack.config,
    db: stack.db,
    log: createLogger({ name: 'test', level: 'silent' }),
    platform: { breaker: { ...DEFAULT_BREAKER_POLICY, pausedRecheckMs: 300 } },
  });
  await worker.start();
  stack.workers.push(worker);

  p.bling.seed({
    products: SKUS.map((sku, i) => ({ sku, name: `Produto ${sku}`, price: (10 + i).toFixed(2) })),
    stock: SKUS.map((sku, i) => ({ sku, warehouseId: 1, quantity: i })),
  });
  p.nuvemshop.seed({
    id: p.nuvemshopStore.id,
    token: p.nuvemshopStore.token,
    products: SKUS.map((sku) => ({ name: `Produto ${sku}`, variants: [{ sku, price: '10.00', stock: 0 }] })),
  });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await p?.close();
});

/** The most calls in any window of the log, minus what a bucket of `burst` refilled at `perSecond` lets through. */
function worstExcess(stamps: number[], burst: number, perSecond: number): number {
  const sorted = [...stamps].sort((a, b) => a - b);
  let worst = -Infinity;
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i; j < sorted.length; j++) {
      worst = Math.max(worst, j - i + 1 - (burst + (perSecond * (sorted[j]! - sorted[i]!)) / 1000));
    }
  }
  return worst;
}

describe('hub end to end: platform limits', () => {
  it('keeps three concurrent jobs on one Bling integration within 3 calls per second', async () => {
    const { url, db } = stack;
    const inputs = platformInputs(p);
    const bling = await createIntegrationOverApi(url, inputs.bling);
    const nuvemshop = await createIntegrationOverApi(url, inputs.nuvemshop);

    // Paid orders in the hub for Bling's orders job to export.
    const now = p.nuvemshop.clock.now();
    p.nuvemshop.seed({
      id: p.nuvemshopStore.id,
      token: p.nuvemshopStore.token,
      orders: SKUS.slice(0, 8).map((sku, i) => ({
        payment_status: 'paid' as const,
        updatedAt: now - 60_000 + i * 1000,
        products: [{ sku, quantity: 1 }],
      })),
    });
    await runSyncJob(url, db, nuvemshop, 'ORDERS');

    p.bling.requests.clear();
    const jobs = await Promise.all(
      (['PRODUCTS', 'INVENTORY', 'ORDERS'] as const).map((type) => queueSyncJob(url, bling, type)),
    );
    // All three run at the same time on the worker.
    await waitFor('the three Bling jobs to run together', async () => {
      const rows = await db.selectFrom('sync_jobs').select('started_at').where('id', 'in', jobs).execute();
      return rows.every((r) => r.started_at !== null);
    });
    const done = await Promise.all(jobs.map((id) => waitForEnd(db, id, 40_000)));
    expect(done.map((j) => j.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED']);
    expect(p.bling.orders()).toHaveLength(8);

    const log: RequestLogEntry[] = p.bling.requests.all().filter((r) => r.path.startsWith('/Api/v3/'));
    expect(log.length).toBeGreaterThan(15);
    // No emulator-clock second accepted more than 3 calls…
    const perSecond = new Map<number, number>();
    for (const r of log.filter((e) => e.status !== 429)) {
      const second = Math.floor(r.clockMs / 1000);
      perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
    }
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(3);
    // …because the client paced what it sent (one call at a time, 2.5 per second): Bling never refused a call.
    expect(
      worstExcess(
        log.map((r) => r.clockMs),
        1,
        2.5,
      ),
    ).toBeLessThanOrEqual(0.5);
    expect(log.filter((r) => r.status === 429)).toEqual([]);
  }, 50_000);

  it('refreshes a dead Mercado Livre access token once for several concurrent jobs and never reuses a refresh token', async () => {
    const { url, db } = stack;
    const inputs = platformInputs(p, { ml: { rateLimit: { burst: 50, perSecond: 50 } } });
    const ml = await createIntegrationOverApi(url, inputs.ml);
    await createIntegrationOverApi(url, inputs.bling).then((id) => runSyncJob(url, db, id, 'PRODUCTS'));

    // The stored token still looks valid to us, but the platform's clock says it died.
    p.ml.clock.advance(7 * 3600_000);
    const before = p.ml.refreshLog().length;
    const jobs = await Promise.all(
      (['PRODUCTS', 'ORDERS', 'ORDERS', 'PRODUCTS', 'ORDERS'] as const).map((type) =>
        queueSyncJob(url, ml, type),
      ),
    );
    const done = await Promise.all(jobs.map((id) => waitForEnd(db, id, 40_000)));
    expect(done.every((j) => j.status === 'COMPLETED')).toBe(true);

    const refreshes = p.ml.refreshLog().slice(before);
    expect(refreshes.length).toBeGreaterThanOrEqual(1);
    expect(refreshes.every((r) => r.outcome === 'ok')).toBe(true);
    const used = refreshes.map((r) => r.refreshToken);
    expect(new Set(used).size).toBe(used.length);
    // A chain: each refresh used the token the previous one issued, starting from the stored one.
    expect(used[0]).toBe(inputs.ml.credentials.refreshToken);
    for (let i = 1; i < refreshes.length; i++) expect(used[i]).toBe(refreshes[i - 1]!.issuedRefreshToken);
    expect(refreshes.length).toBeLessThanOrEqual(2);
    // Every call after the refresh went through with the new token.
    const calls = p.ml.requests.all().filter((r) => r.path !== '/oauth/token');
    expect(calls.filter((r) => r.status === 401).length).toBeLessThanOrEqual(jobs.length);
    const state = await getBreakerState(db, ml);
    expect(state.pause).toBeNull();
  }, 50_000);

  it('pauses an integration whose every call gets 401 instead of retrying, runs other integrations, and resumes after a reconnect', async () => {
    const { url, db } = stack;
    const inputs = platformInputs(p);
    const bad = await createIntegrationOverApi(url, {
      ...inputs.nuvemshop,
      name: 'Nuvemshop with a revoked token',
      credentials: { accessToken: 'revoked-token' },
    });
    const other = await createIntegrationOverApi(url, { ...inputs.nuvemshop, name: 'Nuvemshop ok' });
    const callsOf = () =>
      p.nuvemshop.requests.all().filter((r) => r.path.startsWith(`/2025-03/${p.nuvemshopStore.id}/`));
    const seqBefore = Math.max(0, ...callsOf().map((r) => r.seq));

    const job = await queueSyncJob(url, bad, 'ORDERS', {}, 5);
    // The integration is paused with the reason, and the job waits without having spent its attempts.
    const paused = await waitFor(
      'the integration to pause',
      async () => (await getBreakerState(db, bad)).pause ?? undefined,
    );
    expect(paused.code).toBe('AUTH_FAILED');
    const waiting = await waitForJob(
      db,
      job,
      (j) => j.status === 'QUEUED' && j.error !== null,
      'job to wait',
    );
    expect(waiting.attempts).toBe(0);

    // Shown over GraphQL, with the reason.
    const shown = await gql<{
      integration: { pausedAt: string | null; pauseCode: string | null; pauseReason: string | null };
    }>(url, `query($id: ID!) { integration(id: $id) { pausedAt pauseCode pauseReason } }`, { id: bad });
    expect(shown.errors).toBeUndefined();
    expect(shown.data?.integration.pausedAt).toBeTruthy();
    expect(shown.data?.integration.pauseCode).toBe('AUTH_FAILED');
    expect(shown.data?.integration.pauseReason).toMatch(/401/);

    // Meanwhile another integration's job runs.
    const ok = await runSyncJob(url, db, other, 'ORDERS');
    expect(ok.status).toBe('COMPLETED');

    // The waiting job keeps looking at the pause, not at the platform: few 401s, however long it waits.
    const recheck = Date.now();
    await waitForJob(
      db,
      job,
      (j) => j.status === 'QUEUED' && j.run_at !== null && j.run_at.getTime() > recheck,
      'job to look at the pause again',
    );
    const refused = callsOf().filter((r) => r.seq > seqBefore && r.status === 401);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused.length).toBeLessThanOrEqual(2);
    expect(
      (await db.selectFrom('sync_jobs').select('status').where('id', '=', job).executeTakeFirstOrThrow())
        .status,
    ).toBe('QUEUED');

    // Reconnecting (new credentials over the API) closes the breaker and the job runs.
    const reconnected = await gql(
      url,
      `mutation($id: ID!, $input: UpdateIntegrationInput!) { updateIntegration(id: $id, input: $input) { id } }`,
      { id: bad, input: { credentials: { accessToken: p.nuvemshopStore.token } } },
    );
    expect(reconnected.errors).toBeUndefined();
    const finished = await waitForEnd(db, job, 20_000);
    expect(finished.status).toBe('COMPLETED');
    expect((await getBreakerState(db, bad)).pause).toBeNull();
    const cleared = await gql<{ integration: { pausedAt: string | null } }>(
      url,
      `query($id: ID!) { integration(id: $id) { pausedAt } }`,
      { id: bad },
    );
    expect(cleared.data?.integration.pausedAt).toBeNull();
  }, 50_000);
});
