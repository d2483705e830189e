/**
 * Any number of scheduler replicas against one database: each slot of each schedule fires exactly once. Three
 * replicas on one fake clock are driven through the same slots concurrently; a replica that fails (or dies) after
 * claiming a slot is taken over after the lease without duplicating jobs; and three real scheduler processes
 * (server/main/scheduler.ts) share an every-second schedule.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Scheduler, TickReport } from '../../server/scheduler/scheduler.ts';
import { startSchedulerHarness, type SchedulerHarness } from '../helpers/scheduler.ts';
import { waitFor } from '../helpers/wait.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let h: SchedulerHarness;

beforeAll(async () => {
  // 11:30Z on a Sunday; São Paulo is UTC−3.
  h = await startSchedulerHarness({ start: '2026-05-10T11:30:00Z' });
});

afterEach(async () => {
  // Each test starts with only the seed schedules and no waiting job.
  await h.db
    .deleteFrom('schedules')
    .where('name', 'not in', ['cleanup old jobs', 'full sync all integrations'])
    .execute();
  await h.completeQueuedJobs();
});

afterAll(async () => {
  await h?.stop();
});

async function runsOf(scheduleId: string) {
  return h.db
    .selectFrom('schedule_runs')
    .selectAll()
    .where('schedule_id', '=', scheduleId)
    .orderBy('slot')
    .execute();
}

async function jobsOf(scheduleId: string) {
  return h.db
    .selectFrom('sync_jobs')
    .selectAll()
    .where('idempotency_key', 'like', `schedule:${scheduleId}:%`)
    .execute();
}

/** Every replica ticks twice at once, as if their poll timers coincided (a replica's passes never overlap). */
async function tickAll(replicas: Scheduler[]): Promise<TickReport[]> {
  return [...new Set(await Promise.all(replicas.flatMap((r) => [r.tick(), r.tick()])))];
}

describe('three scheduler replicas on one database', () => {
  it('fire every slot exactly once, whichever replica gets there first', async () => {
    const integrations = await h.integrations(3);
    const perMinute = await h.schedules.create({
      name: 'all stores, every minute',
      cron: '* * * * *',
      timezone: 'America/Sao_Paulo',
      target: 'ALL_INTEGRATIONS',
      syncType: 'PRODUCTS',
    });
    const everyFive = await h.schedules.create({
      name: 'one store, every five minutes',
      cron: '*/5 * * * *',
      target: 'INTEGRATION',
      integrationId: integrations[0],
      syncType: 'INVENTORY',
      priority: 'HIGH',
    });
    const cleanup = await h.schedules.create({
      name: 'cleanup, every two minutes',
      cron: '*/2 * * * *',
      target: 'CLEANUP',
    });
    const replicas = [h.scheduler(), h.scheduler(), h.scheduler()];

    const fired = new Map<string, number>();
    // Twelve minutes, visited a little after each slot (well within the misfire grace).
    for (let minute = 1; minute <= 12; minute++) {
      h.clock.set(new Date(Date.parse('2026-05-10T11:30:00Z') + minute * 60_000 + 1500));
      const reports = await tickAll(replicas);
      for (const report of reports) {
        for (const f of report.fired) {
          const key = `${f.scheduleId}@${f.slot.toISOString()}`;
          fired.set(key, (fired.get(key) ?? 0) + 1);
        }
        expect(report.failed).toEqual([]);
      }
      await h.completeQueuedJobs();
    }

    // Each slot was fired by exactly one replica: no slot appears in two reports.
    expect([...fired.values()].every((n) => n === 1)).toBe(true);
    expect(fired.size).toBe(12 + 2 + 6);

    const minuteRuns = await runsOf(perMinute.id);
    expect(minuteRuns).toHaveLength(12);
    // Each all-integrations slot is one parent job (a full sync) with a child per integration.
    expect(minuteRuns.every((r) => r.status === 'FIRED' && r.job_count === 1)).toBe(true);
    expect(minuteRuns.map((r) => r.slot.toISOString().slice(11, 16))).toEqual(
      Array.from({ length: 12 }, (_, i) => `11:${String(31 + i).padStart(2, '0')}`),
    );
    const minuteJobs = await jobsOf(perMinute.id);
    expect(minuteJobs).toHaveLength(12);
    expect(new Set(minuteJobs.map((j) => j.idempotency_key)).size).toBe(12);
    expect(minuteJobs.every((j) => j.child_count === 3 && j.integration_id === null)).toBe(true);
    const minuteChildren = await h.db
      .selectFrom('sync_jobs')
      .selectAll()
      .where(
        'parent_id',
        'in',
        minuteJobs.map((j) => j.id),
      )
      .execute();
    expect(minuteChildren).toHaveLength(12 * 3);
    expect(minuteChildren.every((j) => j.sync_type === 'PRODUCTS' && j.queue === 'sync_bulk')).toBe(true);

    const fiveRuns = await runsOf(everyFive.id);
    expect(fiveRuns.map((r) => r.slot.toISOString().slice(11, 16))).toEqual(['11:35', '11:40']);
    const fiveJobs = await jobsOf(everyFive.id);
    expect(fiveJobs).toHaveLength(2);
    expect(fiveJobs.every((j) => j.origin === 'SCHEDULE' && j.queue === 'high_priority')).toBe(true);

    const cleanupRuns = await runsOf(cleanup.id);
    expect(cleanupRuns).toHaveLength(6);
    const cleanupJobs = await jobsOf(cleanup.id);
    expect(cleanupJobs).toHaveLength(6);
    expect(
      cleanupJobs.every(
        (j) => j.sync_type === 'CLEANUP' && j.integration_id === null && j.queue === 'maintenance',
      ),
    ).toBe(true);

    // Nothing else was created: every job in the record belongs to one of these slots.
    const total = await h.db
      .selectFrom('sync_jobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(total.n)).toBe(12 + 36 + 2 + 6);

    const after = await h.schedules.get(perMinute.id);
    expect(after?.last_run_slot?.toISOString()).toBe('2026-05-10T11:42:00.000Z');
    expect(after?.next_run_at?.toISOString()).toBe('2026-05-10T11:43:00.000Z');
    expect(after?.last_job_ids).toHaveLength(1);
  });

  it('a slot whose replica failed after claiming it is fired again after the lease, without duplicates', async () => {
    const [store] = await h.integrations(1);
    h.clock.set('2026-05-10T13:59:00Z');
    const schedule = await h.schedules.create({
      name: 'hourly orders',
      cron: '0 * * * *',
      target: 'INTEGRATION',
      integrationId: store,
      syncType: 'ORDERS',
    });
    // Replica A records the jobs, then fails before marking the run FIRED (as if it died at that moment).
    const dying = h.scheduler({
      leaseMs: 30_000,
      jobs: {
        create: async (input, origin) => {
          await h.jobs.create(input, origin);
          throw new Error('connection terminated unexpectedly');
        },
        fullSyncAcross: (input, origin) => h.jobs.fullSyncAcross(input, origin),
      },
    });
    const healthy = [h.scheduler({ leaseMs: 30_000 }), h.scheduler({ leaseMs: 30_000 })];

    h.clock.set('2026-05-10T14:00:01Z');
    const first = await dying.tick();
    expect(first.fired).toEqual([]);
    expect(first.failed).toMatchObject([{ scheduleId: schedule.id, retrying: true }]);
    expect((await runsOf(schedule.id)).map((r) => r.status)).toEqual(['PENDING']);

    // Within the lease nobody touches the claimed run.
    h.clock.set('2026-05-10T14:00:20Z');
    expect((await tickAll(healthy)).flatMap((r) => r.fired)).toEqual([]);

    // After it, exactly one healthy replica fires it again; the idempotency key returns the job already created.
    h.clock.set('2026-05-10T14:00:45Z');
    const taken = (await tickAll(healthy)).flatMap((r) => r.fired);
    expect(taken).toHaveLength(1);
    const [run] = await runsOf(schedule.id);
    expect(run).toMatchObject({ status: 'FIRED', attempts: 2, job_count: 1, deduplicated_count: 1 });
    expect(run?.claimed_by).not.toBe(dying.instanceId);
    const jobs = await jobsOf(schedule.id);
    expect(jobs).toHaveLength(1);
    expect(run?.job_ids).toEqual([jobs[0]!.id]);
    expect((await h.schedules.get(schedule.id))?.last_error).toBeNull();
  });

  it('as three scheduler processes: the every-second slots fire once each', async () => {
    // The processes run on the real clock: plan the seed schedules afresh, or their fake-clock slots would be due.
    await h.db.updateTable('schedules').set({ next_run_at: null }).execute();
    h.clock.set(new Date());
    const schedule = await h.schedules.create({
      name: 'every second',
      cron: '* * * * * *',
      timezone: 'UTC',
      target: 'CLEANUP',
    });
    const children = Array.from({ length: 3 }, () => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'server/main/scheduler.ts'], {
        cwd: ROOT,
        env: { ...process.env, ...h.env, LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      return { child, exited, output: () => out };
    });
    try {
      await waitFor('three schedulers started', () =>
        children.every((c) => c.output().includes('"msg":"scheduler started"')),
      );
      // Let them share the schedule for a few slots.
      await waitFor(
        'five fired slots',
        async () => (await runsOf(schedule.id)).filter((r) => r.status === 'FIRED').length >= 5,
        {
          timeoutMs: 20_000,
          intervalMs: 100,
        },
      );
    } finally {
      for (const c of children) c.child.kill('SIGTERM');
    }
    const codes = await Promise.all(children.map((c) => c.exited));
    expect(codes, children.map((c) => c.output()).join('\n')).toEqual([0, 0, 0]);

    const runs = await runsOf(schedule.id);
    expect(runs.every((r) => r.status === 'FIRED')).toBe(true);
    // One run per slot (the primary key), and each fired by one process: the first creates the cleanup job, the
    // later ones find it still waiting (no worker runs here) and report it as deduplicated, never a second job.
    expect(new Set(runs.map((r) => r.slot.getTime())).size).toBe(runs.length);
    const jobs = await jobsOf(schedule.id);
    expect(jobs).toHaveLength(1);
    expect(runs.every((r) => r.job_count === 1 && r.job_ids[0] === jobs[0]!.id)).toBe(true);
    expect(runs.filter((r) => r.deduplicated_count === 0)).toHaveLength(1);
    const claimants = new Set(runs.map((r) => r.claimed_by));
    expect(claimants.size).toBeGreaterThanOrEqual(1);
  });
});
