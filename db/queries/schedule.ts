/**
 * Schedules and their runs. A run row (schedule_id, slot) is the claim that makes a slot fire once across every
 * scheduler replica: it is inserted with ON CONFLICT DO NOTHING in the transaction that moves the schedule on.
 */
import { sql, type Transaction } from 'kysely';
import type { Database } from '../database.ts';
import type {
  DB,
  MissedRunPolicy,
  Priority,
  Schedule,
  ScheduleError,
  ScheduleRun,
  ScheduleRunStatus,
  ScheduleTarget,
  SyncType,
} from '../types.ts';

export interface ScheduleValues {
  name: string;
  cron: string;
  timezone: string;
  target: ScheduleTarget;
  syncType: SyncType | null;
  integrationId: string | null;
  priority: Priority;
  options: Record<string, unknown>;
  enabled: boolean;
  missedRunPolicy: MissedRunPolicy;
  nextRunAt: Date | null;
}

function toColumns(values: ScheduleValues) {
  return {
    name: values.name,
    cron: values.cron,
    timezone: values.timezone,
    target: values.target,
    sync_type: values.syncType,
    integration_id: values.integrationId,
    priority: values.priority,
    options: JSON.stringify(values.options),
    enabled: values.enabled,
    missed_run_policy: values.missedRunPolicy,
    next_run_at: values.nextRunAt,
  };
}

export async function insertSchedule(db: Database, values: ScheduleValues): Promise<Schedule> {
  return db.insertInto('schedules').values(toColumns(values)).returningAll().executeTakeFirstOrThrow();
}

/** Replaces a schedule's definition; what the scheduler records (last run, error) is left alone. */
export async function updateSchedule(
  db: Database,
  id: string,
  values: ScheduleValues,
): Promise<Schedule | undefined> {
  return db
    .updateTable('schedules')
    .set({ ...toColumns(values), updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function setScheduleEnabled(
  db: Database,
  id: string,
  enabled: boolean,
  nextRunAt: Date | null,
): Promise<Schedule | undefined> {
  return db
    .updateTable('schedules')
    .set({ enabled, next_run_at: nextRunAt, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteSchedule(db: Database, id: string): Promise<Schedule | undefined> {
  return db.deleteFrom('schedules').where('id', '=', id).returningAll().executeTakeFirst();
}

export async function findScheduleById(db: Database, id: string): Promise<Schedule | undefined> {
  return db.selectFrom('schedules').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listSchedules(db: Database, filter: { enabled?: boolean } = {}): Promise<Schedule[]> {
  let q = db.selectFrom('schedules').selectAll();
  if (filter.enabled !== undefined) q = q.where('enabled', '=', filter.enabled);
  return q.orderBy('name').orderBy('id').execute();
}

/** Enabled schedules whose next slot has come, earliest first. */
export async function listDueScheduleIds(db: Database, now: Date, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('schedules')
    .select('id')
    .where('enabled', '=', true)
    .where('next_run_at', '<=', now)
    .orderBy('next_run_at')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/** Enabled schedules with no next slot yet (seeded by a migration, or written by hand). */
export async function listUnplannedSchedules(
  db: Database,
  limit: number,
): Promise<Pick<Schedule, 'id' | 'cron' | 'timezone'>[]> {
  return db
    .selectFrom('schedules')
    .select(['id', 'cron', 'timezone'])
    .where('enabled', '=', true)
    .where('next_run_at', 'is', null)
    .limit(limit)
    .execute();
}

/** Sets the first slot of a schedule that has none; a replica that got there first wins. */
export async function planScheduleIfUnplanned(db: Database, id: string, nextRunAt: Date): Promise<boolean> {
  const result = await db
    .updateTable('schedules')
    .set({ next_run_at: nextRunAt })
    .where('id', '=', id)
    .where('enabled', '=', true)
    .where('next_run_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Switches off a schedule whose stored definition no longer parses, saying why (it would fail every pass). */
export async function disableBrokenSchedule(
  db: Database | Transaction<DB>,
  id: string,
  error: ScheduleError,
): Promise<void> {
  await db
    .updateTable('schedules')
    .set({
      enabled: false,
      next_run_at: null,
      last_error: JSON.stringify(error),
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .execute();
}

/**
 * Locks a due schedule for this transaction. A replica that holds the lock makes the others skip it at once
 * (SKIP LOCKED) instead of queueing behind it; they see the moved-on next_run_at on their next pass.
 */
export async function lockDueSchedule(
  trx: Transaction<DB>,
  id: string,
  now: Date,
): Promise<Schedule | undefined> {
  return trx
    .selectFrom('schedules')
    .selectAll()
    .where('id', '=', id)
    .where('enabled', '=', true)
    .where('next_run_at', '<=', now)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
}

export async function moveScheduleOn(
  trx: Transaction<DB>,
  id: string,
  nextRunAt: Date | null,
): Promise<void> {
  await trx.updateTable('schedules').set({ next_run_at: nextRunAt }).where('id', '=', id).execute();
}

/** The claim: returns the new run, or undefined if this slot was already claimed (by anyone, ever). */
export async function insertScheduleRun(
  trx: Transaction<DB>,
  run: { scheduleId: string; slot: Date; status: ScheduleRunStatus; claimedBy: string; claimedAt: Date },
): Promise<ScheduleRun | undefined> {
  return trx
    .insertInto('schedule_runs')
    .values({
      schedule_id: run.scheduleId,
      slot: run.slot,
      status: run.status,
      claimed_by: run.claimedBy,
      claimed_at: run.claimedAt,
      attempts: run.status === 'PENDING' ? 1 : 0,
    })
    .onConflict((oc) => oc.columns(['schedule_id', 'slot']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

/**
 * Re-claims runs left PENDING by a replica that stopped (or failed transiently) before recording its jobs.
 * Firing again is safe: the jobs carry idempotency keys derived from the slot, so a replay returns the originals.
 */
export async function reclaimStalePendingRuns(
  db: Database,
  options: { staleBefore: Date; claimedBy: string; now: Date; limit: number },
): Promise<ScheduleRun[]> {
  return db
    .updateTable('schedule_runs')
    .set((eb) => ({
      claimed_by: options.claimedBy,
      claimed_at: options.now,
      attempts: eb('attempts', '+', 1),
    }))
    .where((eb) =>
      eb(
        eb.refTuple('schedule_id', 'slot'),
        'in',
        eb
          .selectFrom('schedule_runs')
          .select(['schedule_id', 'slot'])
          .where('status', '=', 'PENDING')
          .where('claimed_at', '<', options.staleBefore)
          .orderBy('claimed_at')
          .limit(options.limit)
          .forUpdate()
          .skipLocked()
          .$asTuple('schedule_id', 'slot'),
      ),
    )
    .where('status', '=', 'PENDING')
    .returningAll()
    .execute();
}

export async function finishScheduleRun(
  db: Database,
  scheduleId: string,
  slot: Date,
  outcome:
    | { status: 'FIRED'; firedAt: Date; jobIds: string[]; jobCount: number; deduplicatedCount: number }
    | { status: 'FAILED' | 'PENDING'; error: ScheduleError },
): Promise<void> {
  await db
    .updateTable('schedule_runs')
    .set(
      outcome.status === 'FIRED'
        ? {
            status: 'FIRED',
            fired_at: outcome.firedAt,
            job_ids: outcome.jobIds,
            job_count: outcome.jobCount,
            deduplicated_count: outcome.deduplicatedCount,
            error: null,
          }
        : { status: outcome.status, error: JSON.stringify(outcome.error) },
    )
    .where('schedule_id', '=', scheduleId)
    .where('slot', '=', slot)
    .where('status', '=', 'PENDING')
    .execute();
}

/** Records the outcome of a slot on the schedule, unless a later slot has already been recorded there. */
export async function recordScheduleOutcome(
  db: Database,
  id: string,
  slot: Date,
  outcome: { firedAt: Date; jobIds: string[] } | { error: ScheduleError },
): Promise<void> {
  await db
    .updateTable('schedules')
    .set(
      'error' in outcome
        ? { last_error: JSON.stringify(outcome.error) }
        : {
            last_run_at: outcome.firedAt,
            last_run_slot: slot,
            last_job_ids: outcome.jobIds,
            last_error: null,
          },
    )
    .where('id', '=', id)
    .where((eb) => eb.or([eb('last_run_slot', 'is', null), eb('last_run_slot', '<=', slot)]))
    .execute();
}

/** A schedule's runs, newest slot first. */
export async function listScheduleRuns(
  db: Database,
  scheduleId: string,
  limit: number,
): Promise<ScheduleRun[]> {
  return db
    .selectFrom('schedule_runs')
    .selectAll()
    .where('schedule_id', '=', scheduleId)
    .orderBy('slot', 'desc')
    .limit(limit)
    .execute();
}

/** Deletes at most `limit` settled runs whose slot is older than `cutoff`; PENDING runs are kept until fired. */
export async function deleteOldScheduleRuns(db: Database, cutoff: Date, limit: number): Promise<number> {
  const result = await db
    .deleteFrom('schedule_runs')
    .where((eb) =>
      eb(
        eb.refTuple('schedule_id', 'slot'),
        'in',
        eb
          .selectFrom('schedule_runs')
          .select(['schedule_id', 'slot'])
          .where('status', '<>', 'PENDING')
          .where('slot', '<', cutoff)
          .orderBy('slot')
          .limit(limit)
          .forUpdate()
          .skipLocked()
          .$asTuple('schedule_id', 'slot'),
      ),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
