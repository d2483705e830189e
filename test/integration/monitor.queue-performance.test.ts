/**
 * queuePerformance from the record: throughput over 1/5/15 minutes, failure rate, and continuous percentiles of wait
 * (started_at − coalesce(run_at, created_at)) and run (finished_at − started_at) time; parents of full syncs are
 * not queue work and are left out.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertIntegration } from '../../db/queries/integration.ts';
import { gql, startTestStack, type TestStack } from '../helpers/stack.ts';

let stack: TestStack;

/** Postgres' percentile_cont: linear interpolation between the closest ranks. */
function percentileCont(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = p * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

/** A job of queue sync_orders, times in seconds before now. */
async function insertJob(
  integrationId: string,
  job: {
    status: string;
    createdAgo: number;
    startedAgo?: number;
    finishedAgo?: number;
    runAtAgo?: number;
    childCount?: number;
  },
): Promise<void> {
  const ago = (s: number | undefined) => (s === undefined ? null : sql`now() - make_interval(secs => ${s})`);
  await sql`
    INSERT INTO sync_jobs (id, integration_id, sync_type, priority, origin, queue, status, options, max_attempts,
      attempts, created_at, started_at, finished_at, run_at, child_count)
    VALUES (gen_random_uuid(), ${integrationId}, 'ORDERS', 'NORMAL', 'API', 'sync_orders', ${job.status}, '{}', 3,
      1, ${ago(job.createdAgo)}, ${ago(job.startedAgo)}, ${ago(job.finishedAgo)}, ${ago(job.runAtAgo)},
      ${job.childCount ?? null})`.execute(stack.db);
}

beforeAll(async () => {
  stack = await startTestStack();
  const { id } = await insertIntegration(stack.db, {
    name: 'history',
    platform: 'SANDBOX',
    enabled: true,
    settings: {},
    credentials: null,
  });
  // Ten completed 30 s ago: waits of 1…10 s, runs of 2…20 s.
  for (let i = 1; i <= 10; i++) {
    await insertJob(id, {
      status: 'COMPLETED',
      finishedAgo: 30,
      startedAgo: 30 + 2 * i,
      createdAgo: 30 + 3 * i,
    });
  }
  // One running, started 20 s ago after waiting 100 s past its run_at (its created_at is older still).
  await insertJob(id, { status: 'RUNNING', startedAgo: 20, runAtAgo: 120, createdAgo: 500 });
  // Five failed 3 minutes ago; one completed 10 minutes ago; one 20 minutes ago (outside every window).
  for (let i = 0; i < 5; i++) {
    await insertJob(id, { status: 'FAILED', finishedAgo: 180, startedAgo: 181, createdAgo: 182 });
  }
  await insertJob(id, { status: 'COMPLETED', finishedAgo: 600, startedAgo: 601, createdAgo: 602 });
  await insertJob(id, { status: 'COMPLETED', finishedAgo: 1200, startedAgo: 1201, createdAgo: 1202 });
  // A full sync's parent finished 30 s ago: not queue work.
  await insertJob(id, {
    status: 'COMPLETED',
    finishedAgo: 30,
    startedAgo: 1000,
    createdAgo: 1001,
    childCount: 3,
  });
});

afterAll(async () => {
  await stack.stop();
});

interface Perf {
  queue: string;
  windowMinutes: number;
  failureRate: number | null;
  throughput: {
    minutes: number;
    completed: number;
    failed: number;
    completedPerMinute: number;
    failureRate: number | null;
  }[];
  waitSeconds: { count: number; p50: number | null; p95: number | null; p99: number | null };
  runSeconds: { count: number; p50: number | null; p95: number | null; p99: number | null };
}

async function performance(args: string): Promise<Perf[]> {
  const res = await gql<{ queuePerformance: Perf[] }>(
    stack.url,
    `{ queuePerformance${args} { queue windowMinutes failureRate
      throughput { minutes completed failed completedPerMinute failureRate }
      waitSeconds { count p50 p95 p99 } runSeconds { count p50 p95 p99 } } }`,
  );
  if (!res.data) throw new Error(JSON.stringify(res.errors));
  return res.data.queuePerformance;
}

describe('queuePerformance', () => {
  it('counts finished jobs per window, leaving parents out', async () => {
    const [orders] = await performance('(queue: SYNC_ORDERS)');
    expect(orders?.queue).toBe('SYNC_ORDERS');
    expect(orders?.throughput).toEqual([
      { minutes: 1, completed: 10, failed: 0, completedPerMinute: 10, failureRate: 0 },
      { minutes: 5, completed: 10, failed: 5, completedPerMinute: 2, failureRate: 0.3333 },
      { minutes: 15, completed: 11, failed: 5, completedPerMinute: 0.73, failureRate: 0.3125 },
    ]);
    expect(orders?.failureRate).toBe(0.3125);
  });

  it('wait and run percentiles over the window (percentile_cont)', async () => {
    const [orders] = await performance('(queue: SYNC_ORDERS, minutes: 2)');
    const waits = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100];
    const runs = [2, 4, 6, 8, 10, 12, 14, 16, 18, 20];
    expect(orders?.windowMinutes).toBe(2);
    expect(orders?.waitSeconds.count).toBe(11);
    expect(orders?.waitSeconds.p50).toBeCloseTo(percentileCont(waits, 0.5), 2);
    expect(orders?.waitSeconds.p95).toBeCloseTo(percentileCont(waits, 0.95), 2);
    expect(orders?.waitSeconds.p99).toBeCloseTo(percentileCont(waits, 0.99), 2);
    expect(orders?.runSeconds.count).toBe(10);
    expect(orders?.runSeconds.p50).toBeCloseTo(11, 2);
    expect(orders?.runSeconds.p95).toBeCloseTo(percentileCont(runs, 0.95), 2);
    expect(orders?.runSeconds.p99).toBeCloseTo(percentileCont(runs, 0.99), 2);
    expect(orders?.failureRate).toBe(0);
  });

  it('lists every queue; a quiet one has zeros and no percentiles', async () => {
    const all = await performance('');
    expect(all.map((p) => p.queue)).toEqual([
      'URGENT',
      'HIGH_PRIORITY',
      'SYNC_PRODUCTS',
      'SYNC_INVENTORY',
      'SYNC_ORDERS',
      'SYNC_BULK',
      'MAINTENANCE',
      'DEFAULT',
    ]);
    const quiet = all.find((p) => p.queue === 'URGENT');
    expect(quiet).toMatchObject({
      failureRate: null,
      waitSeconds: { count: 0, p50: null, p95: null, p99: null },
      runSeconds: { count: 0, p50: null },
    });
    expect(quiet?.throughput.every((w) => w.completed === 0 && w.failureRate === null)).toBe(true);
  });

  it('validates the window', async () => {
    const res = await gql(stack.url, '{ queuePerformance(minutes: 0) { queue } }');
    expect(res.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
  });
});
