/**
 * Fires due schedules. Any number of replicas may run; each slot fires once:
 * 1. claim: in one short transaction a replica locks the due schedule (FOR UPDATE SKIP LOCKED, so others pass it
 *    by), inserts the run row (schedule_id, slot) with ON CONFLICT DO NOTHING and moves next_run_at on;
 * 2. fire: outside the transaction (the embedded database has one connection, and job creation talks to Redis) the
 *    claimant creates the jobs through the service layer, each with the idempotency key
 *    `schedule:<id>:<slot ISO>[:<integration id>]`, then marks the run FIRED;
 * 3. recover: a run left PENDING longer than the lease (its replica died between 1 and 2, or job creation failed
 *    transiently) is claimed again and fired again; the idempotency keys turn the repeat into a replay.
 * After downtime only the most recent due slot is considered: fired once under RUN_ONCE, recorded SKIPPED under
 * SKIP. A slot counts as missed when it is older than the misfire grace when first seen.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Database } from '../../db/database.ts';
import { listEnabledIntegrationIds } from '../../db/queries/integration.ts';
import {
  disableBrokenSchedule,
  finishScheduleRun,
  findScheduleById,
  insertScheduleRun,
  listDueScheduleIds,
  listUnplannedSchedules,
  lockDueSchedule,
  moveScheduleOn,
  planScheduleIfUnplanned,
  reclaimStalePendingRuns,
  recordScheduleOutcome,
} from '../../db/queries/schedule.ts';
import type { Schedule, ScheduleError, ScheduleRun } from '../../db/types.ts';
import type { CreatedJob } from '../../schema/context.ts';
import type { Config } from '../config.ts';
import { AppError, coerceError } from '../errors.ts';
import type { CreateInternalJob } from '../jobs/internal-jobs.ts';
import type { SyncJobService } from '../jobs/sync-job-service.ts';
import type { Logger } from '../logger.ts';
import { DEFAULT_MISFIRE_GRACE_MS, cronOf, planDueSlot } from './slots.ts';

export interface SchedulerDeps {
  db: Database;
  /** The service layer jobs are created through. */
  jobs: Pick<SyncJobService, 'create' | 'fullSyncAcross'>;
  createInternal: CreateInternalJob;
  config: Pick<Config, 'retention' | 'jobs'>;
  log: Logger;
  /** The clock slots are judged by (tests pass a fake one). */
  now?: () => Date;
  /** Names this replica in schedule_runs.claimed_by. */
  instanceId?: string;
  /** How often due schedules are looked for. */
  pollIntervalMs?: number;
  /** A due slot older than this when first seen counts as missed (see MissedRunPolicy). */
  misfireGraceMs?: number;
  /** A run PENDING for longer than this is fired again by whichever replica sees it. */
  leaseMs?: number;
}

export interface TickReport {
  /** Runs this pass created jobs for. */
  fired: { scheduleId: string; slot: Date; jobIds: string[] }[];
  /** Slots recorded as skipped (missed under SKIP). */
  skipped: { scheduleId: string; slot: Date }[];
  /** Runs that failed for good, or are left PENDING to be fired again. */
  failed: { scheduleId: string; slot: Date; error: ScheduleError; retrying: boolean }[];
}

export interface Scheduler {
  readonly instanceId: string;
  /** One pass: plan new schedules, claim and fire due slots, re-fire stale runs. Passes never overlap. */
  tick(): Promise<TickReport>;
  /** Runs a pass at once (slots missed while no scheduler ran are handled here) and then every poll interval. */
  start(): Promise<TickReport>;
  stop(): Promise<void>;
}

export const DEFAULT_POLL_INTERVAL_MS = 1000;
export const DEFAULT_LEASE_MS = 60_000;
/** A run whose job creation keeps failing transiently is given up after this many attempts. */
export const MAX_FIRE_ATTEMPTS = 5;
const BATCH = 100;
/** Integrations read per page when a schedule targets every integration. */
export const ALL_INTEGRATIONS_PAGE = 1000;

/** Errors that firing again cannot fix: the run is FAILED at once. */
const PERMANENT_CODES = new Set(['VALIDATION_FAILED', 'INTEGRATION_NOT_FOUND', 'INTEGRATION_DISABLED']);

export function slotKey(scheduleId: string, slot: Date): string {
  return `schedule:${scheduleId}:${slot.toISOString()}`;
}

/**
 * The nightly full sync: one parent job with a child per (enabled integration, type), created in one call so the
 * whole night's work is one job to watch, cancel or retry. The slot key makes a replay return the same parent.
 */
export async function fireAllIntegrations(
  deps: { db: Database; jobs: Pick<SyncJobService, 'fullSyncAcross'> },
  schedule: Pick<Schedule, 'id' | 'sync_type' | 'priority' | 'options'>,
  slot: Date,
  pageSize = ALL_INTEGRATIONS_PAGE,
): Promise<CreatedJob[]> {
  const integrationIds: string[] = [];
  let afterId: string | undefined;
  for (;;) {
    const ids = await listEnabledIntegrationIds(deps.db, {
      limit: pageSize,
      ...(afterId ? { afterId } : {}),
    });
    integrationIds.push(...ids);
    if (ids.length < pageSize) break;
    afterId = ids[ids.length - 1];
  }
  if (integrationIds.length === 0) return [];
  const parent = await deps.jobs.fullSyncAcross(
    {
      integrationIds,
      syncType: schedule.sync_type ?? 'ALL',
      priority: schedule.priority,
      options: schedule.options,
      idempotencyKey: slotKey(schedule.id, slot),
    },
    'SCHEDULE',
  );
  return [parent];
}

export function createScheduler(deps: SchedulerDeps): Scheduler {
  const { db, jobs, createInternal, config, log } = deps;
  const now = deps.now ?? (() => new Date());
  const instanceId = deps.instanceId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const pollIntervalMs = deps.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const graceMs = deps.misfireGraceMs ?? DEFAULT_MISFIRE_GRACE_MS;
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running: Promise<TickReport> | undefined;

  /** A stored definition that no longer parses (written by hand, or refused by a newer croner) is switched off. */
  function brokenError(err: unknown, at: Date): ScheduleError {
    return {
      code: 'INVALID_SCHEDULE',
      message: coerceError(err).message.slice(0, 1000),
      slot: at.toISOString(),
    };
  }

  /** Seeded or hand-written schedules get their first slot, from now (earlier slots were never theirs). */
  async function planUnplanned(): Promise<void> {
    for (const s of await listUnplannedSchedules(db, BATCH)) {
      const at = now();
      let next: Date | null;
      try {
        next = cronOf(s.cron, s.timezone).next(at);
      } catch (err) {
        log.error({ err, scheduleId: s.id }, 'schedule has an invalid cron expression or timezone; disabled');
        await disableBrokenSchedule(db, s.id, brokenError(err, at));
        continue;
      }
      if (next) await planScheduleIfUnplanned(db, s.id, next);
    }
  }

  /** Step 1: the claim. Returns the run to fire, or undefined if there is nothing for this replica to do. */
  async function claim(
    scheduleId: string,
    at: Date,
    report: TickReport,
  ): Promise<{ schedule: Schedule; run: ScheduleRun } | undefined> {
    return db.transaction().execute(async (trx) => {
      const schedule = await lockDueSchedule(trx, scheduleId, at);
      if (!schedule?.next_run_at) return undefined;
      let plan;
      try {
        plan = planDueSlot(
          cronOf(schedule.cron, schedule.timezone),
          schedule.next_run_at,
          at,
          schedule.missed_run_policy,
          graceMs,
        );
      } catch (err) {
        log.error({ err, scheduleId }, 'schedule has an invalid cron expression or timezone; disabled');
        await disableBrokenSchedule(trx, schedule.id, brokenError(err, at));
        return undefined;
      }
      if (!plan) return undefined;
      const run = await insertScheduleRun(trx, {
        scheduleId: schedule.id,
        slot: plan.slot,
        status: plan.fire ? 'PENDING' : 'SKIPPED',
        claimedBy: instanceId,
        claimedAt: at,
      });
      await moveScheduleOn(trx, schedule.id, plan.next);
      if (!run) return undefined;
      if (!plan.fire) {
        log.info({ scheduleId, slot: plan.slot, policy: schedule.missed_run_policy }, 'missed slot skipped');
        report.skipped.push({ scheduleId, slot: plan.slot });
        return undefined;
      }
      if (plan.missed) log.info({ scheduleId, slot: plan.slot }, 'missed slot fired once (RUN_ONCE)');
      return { schedule, run };
    });
  }

  /** The jobs of one slot, through the service layer; every job's idempotency key derives from the slot. */
  async function createJobs(schedule: Schedule, slot: Date): Promise<CreatedJob[]> {
    const key = slotKey(schedule.id, slot);
    switch (schedule.target) {
      case 'CLEANUP':
        return [
          await createInternal(
            {
              integrationId: null,
              syncType: 'CLEANUP',
              priority: schedule.priority,
              options: { olderThanMs: config.retention.finishedJobsMs },
              idempotencyKey: key,
            },
            'SCHEDULE',
          ),
        ];
      case 'INTEGRATION':
        return [
          await jobs.create(
            {
              integrationId: schedule.integration_id,
              syncType: schedule.sync_type ?? 'ALL',
              priority: schedule.priority,
              options: schedule.options,
              idempotencyKey: key,
            },
            'SCHEDULE',
          ),
        ];
      case 'ALL_INTEGRATIONS':
        return fireAllIntegrations({ db, jobs }, schedule, slot);
    }
  }

  /** Step 2: create the jobs and record the outcome. */
  async function fire(run: ScheduleRun, report: TickReport): Promise<void> {
    const { schedule_id: scheduleId, slot } = run;
    // Read again: the definition may have changed since the claim (a stale run is fired as the schedule is now).
    const schedule = await findScheduleById(db, scheduleId);
    if (!schedule) return;
    try {
      const created = await createJobs(schedule, slot);
      const jobIds = created.map((c) => c.job.id);
      const firedAt = now();
      await finishScheduleRun(db, scheduleId, slot, {
        status: 'FIRED',
        firedAt,
        jobIds,
        jobCount: created.length,
        deduplicatedCount: created.filter((c) => c.deduplicated).length,
      });
      await recordScheduleOutcome(db, scheduleId, slot, { firedAt, jobIds });
      log.info({ scheduleId, name: schedule.name, slot, jobs: jobIds.length }, 'schedule fired');
      report.fired.push({ scheduleId, slot, jobIds });
    } catch (err) {
      const e = coerceError(err);
      const code = e instanceof AppError ? e.code : 'FIRE_FAILED';
      const error: ScheduleError = { code, message: e.message.slice(0, 1000), slot: slot.toISOString() };
      const retrying = !PERMANENT_CODES.has(code) && run.attempts < MAX_FIRE_ATTEMPTS;
      await finishScheduleRun(db, scheduleId, slot, { status: retrying ? 'PENDING' : 'FAILED', error });
      await recordScheduleOutcome(db, scheduleId, slot, { error });
      if (retrying) log.warn({ err: e, scheduleId, slot }, 'schedule could not fire; it will be fired again');
      else log.error({ err: e, scheduleId, slot }, 'schedule could not fire');
      report.failed.push({ scheduleId, slot, error, retrying });
    }
  }

  async function pass(): Promise<TickReport> {
    const report: TickReport = { fired: [], skipped: [], failed: [] };
    await planUnplanned();
    const at = now();
    for (const id of await listDueScheduleIds(db, at, BATCH)) {
      const claimed = await claim(id, at, report);
      if (claimed) await fire(claimed.run, report);
    }
    const stale = await reclaimStalePendingRuns(db, {
      staleBefore: new Date(at.getTime() - leaseMs),
      claimedBy: instanceId,
      now: at,
      limit: BATCH,
    });
    for (const run of stale) {
      log.warn(
        { scheduleId: run.schedule_id, slot: run.slot, attempt: run.attempts },
        'firing a stale run again',
      );
      await fire(run, report);
    }
    return report;
  }

  function tick(): Promise<TickReport> {
    running ??= pass().finally(() => (running = undefined));
    return running;
  }

  function loop(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      tick()
        .catch((err: unknown) => log.error({ err }, 'scheduler pass failed'))
        .finally(loop);
    }, pollIntervalMs);
  }

  return {
    instanceId,
    tick,
    async start() {
      stopped = false;
      const report = await tick();
      loop();
      return report;
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
