/**
 * What the scheduler role does when it starts after downtime (fake clock, real Postgres and Redis): under RUN_ONCE
 * the most recent missed slot fires once (not once per missed slot), under SKIP nothing fires; plus the seed
 * schedules, the cleanup job a CLEANUP schedule creates, and how "all integrations" and failures are handled.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSchedulerRole } from '../../server/scheduler/role.ts';
import { fireAllIntegrations } from '../../server/scheduler/scheduler.ts';
import { startSchedulerHarness, type SchedulerHarness } from '../helpers/scheduler.ts';

const SEEDS = ['cleanup old jobs', 'full sync all integrations'];

let h: SchedulerHarness;

beforeAll(async () => {
  h = await startSchedulerHarness({ start: '2026-05-10T11:30:00Z', env: { JOB_RETENTION_DAYS: '7' } });
});

afterEach(async () => {
  await h.db.deleteFrom('schedules').where('name', 'not in', SEEDS).execute();
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

/** Starts the role on the fake clock, as `npm run start:scheduler` would after downtime; its first pass runs now. */
async function startRole() {
  return startSchedulerRole(h.config, h.db, h.log, { now: h.clock.now, pollIntervalMs: 3_600_000 });
}

describe('the seed schedules', () => {
  it('exist on a fresh install and get their first slots at 02:00 and 03:00 in São Paulo', async () => {
    const seeds = await h.schedules.list();
    expect(seeds.map((s) => [s.name, s.cron, s.timezone, s.target, s.sync_type, s.enabled])).toEqual([
      ['cleanup old jobs', '0 2 * * *', 'America/Sao_Paulo', 'CLEANUP', null, true],
      ['full sync all integrations', '0 3 * * *', 'America/Sao_Paulo', 'ALL_INTEGRATIONS', 'ALL', true],
    ]);
    // Computed for display before any scheduler ran.
    expect(h.schedules.nextRunAt(seeds[0]!)?.toISOString()).toBe('2026-05-11T05:00:00.000Z');

    h.clock.set('2026-05-10T11:30:00Z');
    const role = await startRole();
    await role.stop();
    const planned = await h.schedules.list();
    expect(planned.map((s) => s.next_run_at?.toISOString())).toEqual([
      '2026-05-11T05:00:00.000Z',
      '2026-05-11T06:00:00.000Z',
    ]);
  });

  it('the cleanup schedule creates a CLEANUP job with the configured retention, for no integration', async () => {
    const [cleanup] = await h.schedules.list();
    const scheduler = h.scheduler();
    h.clock.set('2026-05-11T05:00:02Z');
    const report = await scheduler.tick();
    expect(report.fired.map((f) => [f.scheduleId, f.slot.toISOString()])).toEqual([
      [cleanup!.id, '2026-05-11T05:00:00.000Z'],
    ]);
    const [job] = await jobsOf(cleanup!.id);
    expect(job).toMatchObject({
      sync_type: 'CLEANUP',
      integration_id: null,
      origin: 'SCHEDULE',
      queue: 'maintenance',
      status: 'QUEUED',
      options: { olderThanMs: 7 * 86_400_000, batchSize: 5000 },
      idempotency_key: `schedule:${cleanup!.id}:2026-05-11T05:00:00.000Z`,
    });
    // It reached Redis too.
    expect(await h.transport.holds([{ queue: 'maintenance', id: job!.id }])).toEqual([true]);
    expect((await h.schedules.get(cleanup!.id))?.next_run_at?.toISOString()).toBe('2026-05-12T05:00:00.000Z');
  });
});

describe('missed slots after downtime', () => {
  beforeAll(async () => {
    // The seeds would be due too on these dates; keep them out of the way.
    for (const seed of await h.schedules.list()) await h.schedules.pause(seed.id);
  });

  async function hourlySchedule(policy: 'RUN_ONCE' | 'SKIP') {
    const [store] = await h.integrations(1);
    h.clock.set('2026-06-01T09:59:00Z');
    return h.schedules.create({
      name: `hourly ${policy}`,
      cron: '0 * * * *',
      timezone: 'America/Sao_Paulo',
      target: 'INTEGRATION',
      integrationId: store,
      syncType: 'PRODUCTS',
      missedRunPolicy: policy,
    });
  }

  it('RUN_ONCE: a gap of several slots creates one job, for the most recent slot', async () => {
    const schedule = await hourlySchedule('RUN_ONCE');
    expect(schedule.next_run_at?.toISOString()).toBe('2026-06-01T10:00:00.000Z');
    // No scheduler ran from 09:59 to 15:20: slots 10:00 … 15:00 (six) were missed.
    h.clock.set('2026-06-01T15:20:00Z');
    const role = await startRole();
    await role.stop();

    const runs = await runsOf(schedule.id);
    expect(runs.map((r) => [r.slot.toISOString(), r.status])).toEqual([
      ['2026-06-01T15:00:00.000Z', 'FIRED'],
    ]);
    const jobs = await jobsOf(schedule.id);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ sync_type: 'PRODUCTS', origin: 'SCHEDULE', status: 'QUEUED' });
    const after = await h.schedules.get(schedule.id);
    expect(after?.last_run_slot?.toISOString()).toBe('2026-06-01T15:00:00.000Z');
    expect(after?.last_run_at?.toISOString()).toBe('2026-06-01T15:20:00.000Z');
    expect(after?.last_job_ids).toEqual([jobs[0]!.id]);
    expect(after?.next_run_at?.toISOString()).toBe('2026-06-01T16:00:00.000Z');

    // A second start in the same hour has nothing left to do.
    const again = await startRole();
    await again.stop();
    expect(await jobsOf(schedule.id)).toHaveLength(1);
  });

  it('SKIP: the same gap creates no job; the next slot on time fires normally', async () => {
    const schedule = await hourlySchedule('SKIP');
    h.clock.set('2026-06-01T15:20:00Z');
    const role = await startRole();
    await role.stop();

    expect((await runsOf(schedule.id)).map((r) => [r.slot.toISOString(), r.status])).toEqual([
      ['2026-06-01T15:00:00.000Z', 'SKIPPED'],
    ]);
    expect(await jobsOf(schedule.id)).toHaveLength(0);
    const after = await h.schedules.get(schedule.id);
    expect(after?.next_run_at?.toISOString()).toBe('2026-06-01T16:00:00.000Z');
    expect(after?.last_run_at).toBeNull();

    h.clock.set('2026-06-01T16:00:05Z');
    await h.scheduler().tick();
    expect((await runsOf(schedule.id)).map((r) => r.status)).toEqual(['SKIPPED', 'FIRED']);
    expect(await jobsOf(schedule.id)).toHaveLength(1);
  });

  it('a slot still within the misfire grace at start fires, whatever the policy', async () => {
    const schedule = await hourlySchedule('SKIP');
    h.clock.set('2026-06-01T10:00:30Z');
    const role = await startRole();
    await role.stop();
    expect((await runsOf(schedule.id)).map((r) => r.status)).toEqual(['FIRED']);
  });

  it('a paused schedule fires nothing, and resuming does not make up the slots it missed', async () => {
    const schedule = await hourlySchedule('RUN_ONCE');
    await h.schedules.pause(schedule.id);
    h.clock.set('2026-06-01T13:10:00Z');
    await h.scheduler().tick();
    expect(await runsOf(schedule.id)).toHaveLength(0);
    const resumed = await h.schedules.resume(schedule.id);
    expect(resumed.next_run_at?.toISOString()).toBe('2026-06-01T14:00:00.000Z');
    await h.scheduler().tick();
    expect(await runsOf(schedule.id)).toHaveLength(0);
  });
});

describe('firing', () => {
  it('all integrations: one parent job with a child per (enabled integration, type); a replay returns it', async () => {
    await h.db.updateTable('integrations').set({ enabled: false }).execute();
    const enabled = (await h.integrations(5)).sort();
    await h.integrations(2, false);
    const schedule = {
      id: '00000000-0000-4000-8000-000000000000',
      sync_type: 'ALL' as const,
      priority: 'LOW' as const,
      options: { fullSync: true },
    };
    const slot = new Date('2026-06-02T06:00:00Z');
    // Pages of 2 integrations: the listing walks every page.
    const created = await fireAllIntegrations({ db: h.db, jobs: h.jobs }, schedule, slot, 2);
    expect(created).toHaveLength(1);
    const parent = created[0]!.job;
    expect(parent).toMatchObject({
      sync_type: 'ALL',
      integration_id: null,
      child_count: 15,
      origin: 'SCHEDULE',
    });
    expect(parent.options).toEqual({ fullSync: true, batchSize: 100, dryRun: false });
    const children = await h.db
      .selectFrom('sync_jobs')
      .selectAll()
      .where('parent_id', '=', parent.id)
      .execute();
    expect(children).toHaveLength(15);
    expect([...new Set(children.map((c) => c.integration_id))].sort()).toEqual(enabled);
    expect(new Set(children.map((c) => c.sync_type))).toEqual(new Set(['PRODUCTS', 'INVENTORY', 'ORDERS']));
    expect(children.every((c) => c.queue === 'sync_bulk' && c.priority === 'LOW')).toBe(true);

    const replay = await fireAllIntegrations({ db: h.db, jobs: h.jobs }, schedule, slot, 2);
    expect(replay[0]).toMatchObject({ deduplicated: true, job: { id: parent.id } });
  });

  it('a schedule written by hand with an expression that does not parse is switched off, saying why', async () => {
    const broken = await h.db
      .insertInto('schedules')
      .values({
        name: 'hand-written',
        cron: '0 25 * * *',
        timezone: 'UTC',
        target: 'CLEANUP',
        sync_type: null,
        integration_id: null,
        priority: 'NORMAL',
        options: '{}',
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const report = await h.scheduler().tick();
    expect(report.failed).toEqual([]);
    const after = await h.schedules.get(broken.id);
    expect(after).toMatchObject({
      enabled: false,
      next_run_at: null,
      last_error: { code: 'INVALID_SCHEDULE' },
    });
    expect(after?.last_error?.message).toMatch(/hour/);
  });

  it('a schedule whose integration is disabled records the error and does not retry', async () => {
    const [store] = await h.integrations(1, false);
    h.clock.set('2026-06-03T09:59:00Z');
    const schedule = await h.schedules.create({
      name: 'disabled store',
      cron: '0 * * * *',
      target: 'INTEGRATION',
      integrationId: store,
    });
    h.clock.set('2026-06-03T10:00:01Z');
    const report = await h.scheduler().tick();
    expect(report.failed).toMatchObject([
      { scheduleId: schedule.id, retrying: false, error: { code: 'INTEGRATION_DISABLED' } },
    ]);
    expect((await runsOf(schedule.id)).map((r) => r.status)).toEqual(['FAILED']);
    const after = await h.schedules.get(schedule.id);
    expect(after?.last_error).toMatchObject({
      code: 'INTEGRATION_DISABLED',
      slot: '2026-06-03T10:00:00.000Z',
    });
    expect(after?.next_run_at?.toISOString()).toBe('2026-06-03T11:00:00.000Z');
    h.clock.set('2026-06-03T10:30:00Z');
    expect((await h.scheduler({ leaseMs: 1000 }).tick()).failed).toEqual([]);
  });
});
