/**
 * Urgent pickup: a backlog of slow bulk jobs fills `sync_bulk` (two slots, so nearly all of them wait), then urgent
 * jobs are created one at a time, each waited for until it is RUNNING. The figure is started_at − created_at, both
 * stamped by Postgres now(). Afterwards the backlog is made fast and drained by a worker with full concurrency, so
 * every job of the scenario ends COMPLETED; that drain is also timed (worker throughput on jobs already queued).
 */
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { jobTopics } from '../../server/events/job-events.ts';
import { bulkCreate, chunks, createJob } from '../lib/client.ts';
import type { BenchContext } from '../lib/context.ts';
import { EMPTY_STORE, seedPairs } from '../lib/infra.ts';
import { waitForJobs } from '../lib/jobs.ts';
import type { ApiProcess } from '../lib/processes.ts';
import { distribution, mb, type Distribution } from '../lib/stats.ts';

export interface UrgentPickupResult {
  backlog: number;
  backlogLatencyMs: number;
  bulkConcurrency: number;
  urgentJobs: number;
  /** started_at − created_at per urgent job (Postgres clocks). */
  pickupMs: Distribution;
  /** HTTP round trip of each urgent createSyncJob. */
  createMs: Distribution;
  /** Backlog jobs still waiting when the last urgent job started. */
  backlogWaitingAtEnd: number;
  memory: { apiPeakMb: number | null; workerPeakMb: number | null };
  drain: { jobs: number; ms: number; jobsPerSec: number };
  completed: number;
  unsuccessful: number;
}

const STARTED = /^\{"kind":"STARTED","job":\{"id":"([0-9a-f-]{36})"/;

export async function runUrgentPickup(ctx: BenchContext, api: ApiProcess): Promise<UrgentPickupResult> {
  const o = ctx.options;
  const slowStore = { products: 0, orders: 0, latencyMs: o.urgentBacklogLatencyMs };
  const backlogPairs = (await seedPairs(ctx.db, o.urgentBacklog, slowStore, 'backlog')).slice(
    0,
    o.urgentBacklog,
  );
  const urgentPairs = (await seedPairs(ctx.db, o.urgentJobs, EMPTY_STORE, 'urgent')).slice(0, o.urgentJobs);

  const slowWorker = await ctx.startWorker('worker-urgent', api, {
    WORKER_QUEUE_CONCURRENCY: `sync_bulk=${o.urgentBulkConcurrency}`,
  });
  const backlogIds: string[] = [];
  for (const batch of chunks(backlogPairs, o.batchSize))
    backlogIds.push(...(await bulkCreate(api.url, batch)).ids);
  ctx.log(`urgent: ${backlogIds.length} backlog jobs queued; creating ${urgentPairs.length} urgent jobs`);

  // STARTED events tell when each urgent job runs; Postgres is polled too in case an event is lost.
  const subscriber = new Redis(o.redisUrl, { maxRetriesPerRequest: null });
  const started = new Set<string>();
  let wake: (() => void) | undefined;
  subscriber.on('messageBuffer', (_channel: Buffer, message: Buffer) => {
    const id = STARTED.exec(message.toString('latin1', 0, 80))?.[1];
    if (id) {
      started.add(id);
      wake?.();
    }
  });
  await subscriber.subscribe(jobTopics.jobEvents(ctx.prefix));

  const urgentIds: string[] = [];
  const createMs: number[] = [];
  let memory: UrgentPickupResult['memory'];
  try {
    for (const pair of urgentPairs) {
      const { id, ms } = await createJob(api.url, { ...pair, priority: 'URGENT' });
      urgentIds.push(id);
      createMs.push(ms);
      const deadline = Date.now() + 60_000;
      while (!started.has(id)) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 200);
        });
        if (started.has(id)) break;
        const { rows } = await sql<{ started_at: Date | null }>`
          SELECT started_at FROM sync_jobs WHERE id = ${id}`.execute(ctx.db);
        if (rows[0]?.started_at) break;
        if (Date.now() > deadline) throw new Error(`urgent job ${id} did not start within 60 s`);
      }
    }
    memory = { apiPeakMb: mb(api.peakRss()), workerPeakMb: mb(slowWorker.peakRss()) };
  } finally {
    await subscriber.quit().catch(() => undefined);
  }

  const { rows } = await sql<{ ms: number }>`
    SELECT (extract(epoch FROM started_at - created_at) * 1000)::float8 AS ms
    FROM sync_jobs WHERE id = ANY(${urgentIds}::uuid[])`.execute(ctx.db);
  const { rows: waiting } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM sync_jobs WHERE id = ANY(${backlogIds}::uuid[]) AND status = 'QUEUED'`.execute(
    ctx.db,
  );

  // Drain: the backlog's store becomes instant and a worker with full concurrency takes over.
  await ctx.stop(slowWorker);
  await sql`
    UPDATE integrations SET settings = settings || '{"latencyMs": 0}'::jsonb
    WHERE id = ANY(${[...new Set(backlogPairs.map((p) => p.integrationId))]}::uuid[])`.execute(ctx.db);
  const drainFrom = new Date();
  const drainWorker = await ctx.startWorker('worker-drain', api);
  const done = await waitForJobs(ctx.db, [...backlogIds, ...urgentIds], {
    timeoutMs: Math.max(120_000, backlogIds.length * 30),
    intervalMs: 500,
    what: 'the backlog to drain',
  });
  await ctx.stop(drainWorker);
  // The drain is timed from the first job the new worker started to the last one it finished.
  const { rows: drained } = await sql<{ n: number; ms: number | null }>`
    SELECT count(*)::int AS n,
      (extract(epoch FROM max(finished_at) - min(started_at)) * 1000)::float8 AS ms
    FROM sync_jobs WHERE id = ANY(${backlogIds}::uuid[]) AND started_at >= ${drainFrom}`.execute(ctx.db);
  const drainJobs = drained[0]?.n ?? 0;
  const drainMs = Math.max(1, Math.round(drained[0]?.ms ?? 0));

  return {
    backlog: backlogIds.length,
    backlogLatencyMs: o.urgentBacklogLatencyMs,
    bulkConcurrency: o.urgentBulkConcurrency,
    urgentJobs: urgentIds.length,
    pickupMs: distribution(rows.map((r) => r.ms)),
    createMs: distribution(createMs),
    backlogWaitingAtEnd: waiting[0]?.n ?? 0,
    memory,
    drain: { jobs: drainJobs, ms: drainMs, jobsPerSec: Math.round((drainJobs / drainMs) * 1000) },
    completed: done.completed,
    unsuccessful: done.unsuccessful,
  };
}
