/**
 * Prometheus metrics: GET /metrics on the API (and <prefix>/metrics on the monitor) is valid exposition text, and its
 * cluster-wide counters and histograms move with real jobs run by a real worker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSyncJobById } from '../../db/queries/sync-job.ts';
import type { SyncJob } from '../../db/types.ts';
import { loadConfig } from '../../server/config.ts';
import { PermanentError } from '../../server/errors.ts';
import { createLogger } from '../../server/logger.ts';
import { buildMonitorApp, type MonitorApp } from '../../server/monitor/app.ts';
import { scriptedHandlers } from '../helpers/handlers.ts';
import { parseExposition, sampleValue, type Family } from '../helpers/prometheus.ts';
import { createSandboxIntegration, startTestStack, type TestStack } from '../helpers/stack.ts';
import { waitFor } from '../helpers/wait.ts';

const handlers = scriptedHandlers(async (ctx) => {
  if (ctx.options.dryRun) throw new PermanentError('told to fail');
  return { processed: 3, total: 3, failed: 0 };
});
let stack: TestStack;
let monitor: MonitorApp;
let monitorUrl: string;
let integrations: string[];

async function scrape(url: string, headers: Record<string, string> = {}): Promise<Map<string, Family>> {
  const res = await fetch(url, { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
  return parseExposition(await res.text());
}

async function settled(id: string): Promise<SyncJob> {
  return waitFor('job finished', async () => {
    const j = await findSyncJobById(stack.db, id);
    return j && (j.status === 'COMPLETED' || j.status === 'FAILED') ? j : undefined;
  });
}

beforeAll(async () => {
  stack = await startTestStack({ getHandler: handlers.getHandler, workers: 1 });
  integrations = [
    await createSandboxIntegration(stack.url, { products: 0, orders: 0 }),
    await createSandboxIntegration(stack.url, { products: 0, orders: 0 }),
    await createSandboxIntegration(stack.url, { products: 0, orders: 0 }),
  ];
  const config = loadConfig({ ...stack.env, FLOWER_BASIC_AUTH: 'ops:pw', FLOWER_URL_PREFIX: '/flower' });
  monitor = buildMonitorApp({ config, db: stack.db, log: createLogger({ name: 'test', level: 'silent' }) });
  monitorUrl = (await monitor.start(0, '127.0.0.1')).url;
});

afterAll(async () => {
  await monitor?.stop();
  await stack?.stop();
});

describe('GET /metrics', () => {
  it('is Prometheus text with job counters, duration histograms, queue gauges, workers and process metrics', async () => {
    const metrics = await scrape(`${stack.url}/metrics`);
    for (const name of [
      'sync_jobs_created_total',
      'sync_jobs_started_total',
      'sync_jobs_completed_total',
      'sync_jobs_failed_total',
      'sync_jobs_cancelled_total',
      'sync_jobs_retried_total',
    ]) {
      expect(metrics.get(name)?.type, name).toBe('counter');
    }
    expect(metrics.get('sync_job_wait_seconds')?.type).toBe('histogram');
    expect(metrics.get('sync_job_run_seconds')?.type).toBe('histogram');
    const depth = metrics.get('sync_queue_jobs');
    expect(depth?.type).toBe('gauge');
    // Eight queues × waiting/active/delayed.
    expect(depth?.samples).toHaveLength(24);
    expect(metrics.get('sync_queue_paused')?.samples).toHaveLength(8);
    expect(sampleValue(metrics, 'sync_workers', { status: 'online' })).toBe(1);
    expect(metrics.get('process_cpu_user_seconds_total')?.type).toBe('counter');
    expect(metrics.get('nodejs_eventloop_lag_seconds')?.type).toBe('gauge');
  });

  it('counters and histograms move with real jobs, cluster-wide (the monitor reports the same totals)', async () => {
    const series = { queue: 'sync_products', type: 'PRODUCTS' };
    const before = await scrape(`${stack.url}/metrics`);
    const jobs = stack.api.services.jobs;
    const ok1 = (await jobs.create({ integrationId: integrations[0], syncType: 'PRODUCTS' })).job;
    const ok2 = (await jobs.create({ integrationId: integrations[1], syncType: 'PRODUCTS' })).job;
    const bad = (
      await jobs.create({ integrationId: integrations[2], syncType: 'PRODUCTS', options: { dryRun: true } })
    ).job;
    await Promise.all([ok1, ok2, bad].map((j) => settled(j.id)));
    expect((await findSyncJobById(stack.db, bad.id))?.status).toBe('FAILED');
    // Cancelled while waiting: counted by the API process that cancelled it.
    const delayed = (
      await jobs.create({
        integrationId: integrations[0],
        syncType: 'ORDERS',
        runAt: new Date(Date.now() + 3_600_000).toISOString(),
      })
    ).job;
    await jobs.cancel(delayed.id);

    const after = await waitFor('counters to reflect the jobs', async () => {
      const m = await scrape(`${stack.url}/metrics`);
      return sampleValue(m, 'sync_jobs_completed_total', series) -
        sampleValue(before, 'sync_jobs_completed_total', series) ===
        2
        ? m
        : undefined;
    });
    const delta = (family: string, labels: Record<string, string>, name = family) =>
      sampleValue(after, family, labels, name) - sampleValue(before, family, labels, name);
    expect(delta('sync_jobs_created_total', series)).toBe(3);
    expect(delta('sync_jobs_started_total', series)).toBe(3);
    expect(delta('sync_jobs_completed_total', series)).toBe(2);
    expect(delta('sync_jobs_failed_total', series)).toBe(1);
    expect(delta('sync_jobs_created_total', { queue: 'sync_orders', type: 'ORDERS' })).toBe(1);
    expect(delta('sync_jobs_cancelled_total', { queue: 'sync_orders', type: 'ORDERS' })).toBe(1);
    // Run time of the completed and failed ones, wait time of the three that started.
    expect(delta('sync_job_run_seconds', { ...series, le: '+Inf' }, 'sync_job_run_seconds_bucket')).toBe(3);
    expect(delta('sync_job_run_seconds', series, 'sync_job_run_seconds_count')).toBe(3);
    expect(delta('sync_job_wait_seconds', series, 'sync_job_wait_seconds_count')).toBe(3);
    expect(sampleValue(after, 'sync_job_wait_seconds', series, 'sync_job_wait_seconds_sum')).toBeGreaterThan(
      0,
    );

    // The monitor reads the same Redis counters: the same totals, under its prefix and behind its password.
    const unauthorized = await fetch(`${monitorUrl}/flower/metrics`);
    expect(unauthorized.status).toBe(401);
    const fromMonitor = await scrape(`${monitorUrl}/flower/metrics`, {
      authorization: `Basic ${Buffer.from('ops:pw').toString('base64')}`,
    });
    expect(sampleValue(fromMonitor, 'sync_jobs_completed_total', series)).toBe(
      sampleValue(after, 'sync_jobs_completed_total', series),
    );
  });

  it('queue depth follows the record', async () => {
    const waiting = (
      await stack.api.services.jobs.create({
        integrationId: integrations[1],
        syncType: 'INVENTORY',
        runAt: new Date(Date.now() + 3_600_000).toISOString(),
      })
    ).job;
    const metrics = await scrape(`${stack.url}/metrics`);
    expect(sampleValue(metrics, 'sync_queue_jobs', { queue: waiting.queue, state: 'delayed' })).toBe(1);
    await stack.api.services.jobs.cancel(waiting.id);
    const later = await scrape(`${stack.url}/metrics`);
    expect(sampleValue(later, 'sync_queue_jobs', { queue: waiting.queue, state: 'delayed' })).toBe(0);
  });
});
