/**
 * Retention cleanup (CLEANUP jobs) on real Postgres: only finished jobs older than the retention go, in batches that
 * skip rows other transactions hold, while new jobs keep being created; QUEUED and RUNNING jobs are never touched;
 * the job reports how many it removed. Last, the whole path: a CLEANUP schedule fires and a worker runs the job.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertIntegration } from '../../db/queries/integration.ts';
import type { SyncJob } from '../../db/types.ts';
import { cleanupHandler, type CleanupOptions } from '../../server/handlers/cleanup.ts';
import type { ProgressUpdate } from '../../server/handlers/handler.ts';
import { createWorker } from '../../server/worker/worker.ts';
import { startSchedulerHarness, type SchedulerHarness } from '../helpers/scheduler.ts';
import { waitFor } from '../helpers/wait.ts';

const DAY = 86_400_000;

let h: SchedulerHarness;
let integrationId: string;

beforeAll(async () => {
  h = await startSchedulerHarness({ start: '2026-05-10T04:00:00Z', env: { JOB_RETENTION_DAYS: '30' } });
  integrationId = (
    await insertIntegration(h.db, {
      name: 'Store',
      platform: 'SANDBOX',
      enabled: true,
      settings: {},
      credentials: null,
    })
  ).id;
});

afterAll(async () => {
  await h?.stop();
});

/** Inserts `count` jobs in one statement; ages are relative to the database clock. */
async function seedJobs(
  count: number,
  spec: {
    status: 'finished' | 'QUEUED' | 'RUNNING';
    finishedDaysAgo?: number;
    createdDaysAgo: number;
    tag: string;
  },
): Promise<void> {
  const status =
    spec.status === 'finished'
      ? sql`(ARRAY['COMPLETED','FAILED','CANCELLED'])[1 + g % 3]`
      : sql`${spec.status}`;
  const finishedAt =
    spec.finishedDaysAgo === undefined
      ? sql`NULL`
      : sql`now() - ${spec.finishedDaysAgo} * interval '1 day' - g * interval '1 second'`;
  await sql`
    INSERT INTO sync_jobs (id, integration_id, sync_type, priority, origin, queue, status, options, max_attempts,
      message, created_at, started_at, finished_at)
    SELECT gen_random_uuid(), ${integrationId}, 'PRODUCTS', 'NORMAL', 'API', 'sync_products', ${status}, '{}', 3,
      ${spec.tag}, now() - ${spec.createdDaysAgo} * interval '1 day', now() - ${spec.createdDaysAgo} * interval '1 day',
      ${finishedAt}
    FROM generate_series(1, ${count}) g`.execute(h.db);
}

async function countWhere(where: ReturnType<typeof sql>): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM sync_jobs WHERE ${where}`.execute(
    h.db,
  );
  return rows[0]!.n;
}

async function countByTag(tag: string): Promise<number> {
  return countWhere(sql`message = ${tag}`);
}

function runCleanup(
  options: Partial<CleanupOptions>,
  signal = new AbortController().signal,
  onProgress: (seen: ProgressUpdate[]) => void = () => undefined,
) {
  const progress: ProgressUpdate[] = [];
  const run = cleanupHandler.run({
    job: { id: '00000000-0000-4000-8000-000000000001' } as SyncJob,
    options: cleanupHandler.options.parse(options),
    db: h.db,
    signal,
    progress: (p) => {
      progress.push(p);
      onProgress(progress);
    },
    log: h.log,
  });
  return { run, progress };
}

describe('the CLEANUP handler', () => {
  it('removes only old finished jobs, in batches, while jobs are being created; queued and running stay', async () => {
    await seedJobs(12_345, {
      status: 'finished',
      finishedDaysAgo: 40,
      createdDaysAgo: 41,
      tag: 'old-finished',
    });
    await seedJobs(500, {
      status: 'finished',
      finishedDaysAgo: 5,
      createdDaysAgo: 6,
      tag: 'recent-finished',
    });
    await seedJobs(300, { status: 'QUEUED', createdDaysAgo: 90, tag: 'old-queued' });
    await seedJobs(200, { status: 'RUNNING', createdDaysAgo: 90, tag: 'old-running' });
    // Never happens through the state machine, but a finished_at alone must not make a live job a candidate.
    await seedJobs(50, { status: 'RUNNING', finishedDaysAgo: 60, createdDaysAgo: 90, tag: 'odd-running' });
    const oldEvents = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM sync_job_events e JOIN sync_jobs j ON j.id = e.job_id
      WHERE j.message = 'old-finished'`.execute(h.db);
    expect(oldEvents.rows[0]!.n).toBe(12_345);

    // Jobs keep arriving through the service layer the whole time (scheduled for later, so none is deduplicated).
    let cleaning = true;
    let created = 0;
    const producer = (async () => {
      while (cleaning) {
        const batch = Array.from({ length: 50 }, () => ({
          integrationId,
          syncType: 'INVENTORY',
          runAt: new Date(Date.now() + DAY).toISOString(),
        }));
        created += (await h.jobs.bulkCreate(batch)).filter((c) => !c.deduplicated).length;
      }
    })();
    const { run, progress } = runCleanup({ olderThanMs: 30 * DAY, batchSize: 1000 });
    const result = await run.finally(() => (cleaning = false));
    await producer;

    expect(result.processed).toBe(12_345);
    expect(result.total).toBe(12_345);
    expect(result.message).toBe('Removed 12345 finished jobs older than 30 day(s)');
    expect(result.details).toMatchObject({
      removed: 12_345,
      batches: 13,
      batchSize: 1000,
      olderThanMs: 30 * DAY,
    });
    // Progress after every batch: 0, 1000, 2000, … 12345.
    expect(progress.map((p) => p.processed)).toEqual([
      0,
      ...Array.from({ length: 12 }, (_, i) => (i + 1) * 1000),
      12_345,
    ]);
    expect(progress.every((p) => p.total === 12_345)).toBe(true);

    expect(await countByTag('old-finished')).toBe(0);
    expect(await countByTag('recent-finished')).toBe(500);
    expect(await countByTag('old-queued')).toBe(300);
    expect(await countByTag('old-running')).toBe(200);
    expect(await countByTag('odd-running')).toBe(50);
    expect(created).toBeGreaterThan(0);
    expect(await countWhere(sql`sync_type = 'INVENTORY' AND status = 'QUEUED'`)).toBe(created);
    // Their timelines went with them.
    const orphans = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM sync_job_events e WHERE NOT EXISTS (SELECT 1 FROM sync_jobs j WHERE j.id = e.job_id)`.execute(
      h.db,
    );
    expect(orphans.rows[0]!.n).toBe(0);
  });

  it('skips a row another transaction holds instead of waiting for it', async () => {
    await seedJobs(20, { status: 'finished', finishedDaysAgo: 31, createdDaysAgo: 32, tag: 'locked-batch' });
    const held = await h.db
      .selectFrom('sync_jobs')
      .select('id')
      .where('message', '=', 'locked-batch')
      .executeTakeFirstOrThrow();
    await h.db.transaction().execute(async (trx) => {
      await trx.selectFrom('sync_jobs').select('id').where('id', '=', held.id).forUpdate().execute();
      const { run } = runCleanup({ olderThanMs: 30 * DAY, batchSize: 7 });
      expect((await run).processed).toBe(19);
    });
    expect(await countByTag('locked-batch')).toBe(1);
    const { run } = runCleanup({ olderThanMs: 30 * DAY });
    expect((await run).processed).toBe(1);
  });

  it('stops between batches when its job is cancelled', async () => {
    await seedJobs(50, { status: 'finished', finishedDaysAgo: 31, createdDaysAgo: 32, tag: 'cancelled-run' });
    const controller = new AbortController();
    // Cancelled as the second batch is reported (the start is reported too): the loop checks before each batch.
    const { run } = runCleanup({ olderThanMs: 30 * DAY, batchSize: 10 }, controller.signal, (seen) => {
      if (seen.length === 3) controller.abort();
    });
    await expect(run).rejects.toThrow();
    expect(await countByTag('cancelled-run')).toBe(30);
    expect((await runCleanup({ olderThanMs: 30 * DAY }).run).processed).toBe(30);
  });

  it('also removes schedule runs older than the retention, except ones still PENDING', async () => {
    const [seed] = await h.schedules.list();
    const daysAgo = (d: number) => new Date(Date.now() - d * DAY);
    const run = (slot: Date, status: 'FIRED' | 'SKIPPED' | 'PENDING') => ({
      schedule_id: seed!.id,
      slot,
      status,
      claimed_at: slot,
    });
    await h.db
      .insertInto('schedule_runs')
      .values([
        run(daysAgo(45), 'FIRED'),
        run(daysAgo(44), 'SKIPPED'),
        run(daysAgo(43), 'PENDING'),
        run(daysAgo(2), 'FIRED'),
      ])
      .execute();
    const result = await runCleanup({ olderThanMs: 30 * DAY }).run;
    expect(result.details).toMatchObject({ scheduleRunsRemoved: 2 });
    const left = await h.db
      .selectFrom('schedule_runs')
      .select('status')
      .where('schedule_id', '=', seed!.id)
      .execute();
    expect(left.map((r) => r.status).sort()).toEqual(['FIRED', 'PENDING']);
    await h.db.deleteFrom('schedule_runs').where('schedule_id', '=', seed!.id).execute();
  });

  it('keeps everything when nothing is old enough, and says so', async () => {
    const before = await countWhere(sql`true`);
    const result = await runCleanup({ olderThanMs: 365 * DAY }).run;
    expect(result).toMatchObject({
      processed: 0,
      total: 0,
      message: 'Removed 0 finished jobs older than 365 day(s)',
    });
    expect(await countWhere(sql`true`)).toBe(before);
  });
});

describe('the cleanup schedule end to end', () => {
  it('fires a CLEANUP job that a worker runs, reporting how many jobs it removed', async () => {
    await seedJobs(2_000, { status: 'finished', finishedDaysAgo: 45, createdDaysAgo: 46, tag: 'e2e-old' });
    const schedule = await h.schedules.create({
      name: 'nightly cleanup',
      cron: '30 4 * * *',
      timezone: 'UTC',
      target: 'CLEANUP',
    });
    for (const seed of await h.schedules.list())
      if (seed.id !== schedule.id) await h.schedules.pause(seed.id);
    h.clock.set('2026-05-10T04:30:01Z');
    const report = await h.scheduler().tick();
    expect(report.fired).toHaveLength(1);
    const jobId = report.fired[0]!.jobIds[0]!;

    const worker = createWorker({ config: h.config, db: h.db, log: h.log });
    await worker.start();
    try {
      const done = await waitFor('the cleanup job to finish', async () => {
        const job = await h.db.selectFrom('sync_jobs').selectAll().where('id', '=', jobId).executeTakeFirst();
        return job && ['COMPLETED', 'FAILED', 'CANCELLED'].includes(job.status) ? job : undefined;
      });
      expect(done, JSON.stringify(done.error)).toMatchObject({
        status: 'COMPLETED',
        sync_type: 'CLEANUP',
        integration_id: null,
        processed_items: 2_000,
        total_items: 2_000,
        progress: 100,
        message: 'Removed 2000 finished jobs older than 30 day(s)',
      });
      expect(done.result).toMatchObject({
        processed: 2_000,
        details: { removed: 2_000, olderThanMs: 30 * DAY },
      });
      expect(await countByTag('e2e-old')).toBe(0);
    } finally {
      await worker.stop(200);
    }
  });
});
