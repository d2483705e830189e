/**
 * The circuit breaker of each integration, in Postgres so every process sees it and an operator can read why:
 * the pause on the integration row (code, reason, since when, until when) and the error budget behind it
 * (consecutive failures, errors in the current window). Also the job transition a paused integration needs: a
 * job goes back to waiting without spending its attempt.
 */
import { sql } from 'kysely';
import type { Database } from '../database.ts';
import type { JobError, JobStatus, SyncJob } from '../types.ts';

export interface IntegrationPause {
  pausedAt: Date;
  code: string;
  reason: string;
  /** When calls are let through again by themselves (half-open); null: only a reconnect or resume does. */
  pausedUntil: Date | null;
}

export interface BreakerState {
  pause: IntegrationPause | null;
  consecutiveFailures: number;
}

/** The integration's pause, if any, and its current run of consecutive failures. */
export async function getBreakerState(db: Database, integrationId: string): Promise<BreakerState> {
  const row = await db
    .selectFrom('integrations as i')
    .leftJoin('integration_health as h', 'h.integration_id', 'i.id')
    .select(['i.paused_at', 'i.pause_code', 'i.pause_reason', 'i.paused_until', 'h.consecutive_failures'])
    .where('i.id', '=', integrationId)
    .executeTakeFirst();
  if (!row) return { pause: null, consecutiveFailures: 0 };
  return {
    pause: row.paused_at
      ? {
          pausedAt: row.paused_at,
          code: row.pause_code ?? 'PAUSED',
          reason: row.pause_reason ?? 'Paused',
          pausedUntil: row.paused_until,
        }
      : null,
    consecutiveFailures: row.consecutive_failures ?? 0,
  };
}

export interface FailureTally {
  consecutiveFailures: number;
  windowErrors: number;
}

/**
 * Counts one error against the budget. Every error counts in the window (platforms ban on error storms, whatever
 * their kind); only an outage (5xx, timeout, network) extends the run of consecutive failures.
 */
export async function recordIntegrationError(
  db: Database,
  integrationId: string,
  error: { code: string; message: string; outage: boolean; windowMs: number },
): Promise<FailureTally> {
  const outage = error.outage ? 1 : 0;
  const windowSeconds = error.windowMs / 1000;
  const row = await db
    .insertInto('integration_health')
    .values({
      integration_id: integrationId,
      consecutive_failures: outage,
      window_errors: 1,
      last_error_code: error.code,
      last_error_message: error.message.slice(0, 1000),
      last_error_at: sql<Date>`now()`,
    })
    .onConflict((oc) =>
      oc.column('integration_id').doUpdateSet({
        consecutive_failures: sql<number>`integration_health.consecutive_failures + ${outage}`,
        window_errors: sql<number>`CASE WHEN integration_health.window_started_at < now() - make_interval(secs => ${windowSeconds})
          THEN 1 ELSE integration_health.window_errors + 1 END`,
        window_started_at: sql<Date>`CASE WHEN integration_health.window_started_at < now() - make_interval(secs => ${windowSeconds})
          THEN now() ELSE integration_health.window_started_at END`,
        last_error_code: error.code,
        last_error_message: error.message.slice(0, 1000),
        last_error_at: sql<Date>`now()`,
        updated_at: sql<Date>`now()`,
      }),
    )
    .returning(['consecutive_failures', 'window_errors'])
    .executeTakeFirstOrThrow();
  return { consecutiveFailures: row.consecutive_failures, windowErrors: row.window_errors };
}

/**
 * A call went through: the run of failures ends, and a breaker whose reopening time has passed (half-open) closes.
 * A pause without a reopening time (bad credentials) is left alone: only a reconnect or resume lifts it.
 */
export async function recordIntegrationSuccess(db: Database, integrationId: string): Promise<void> {
  await db
    .updateTable('integration_health')
    .set({ consecutive_failures: 0, updated_at: sql<Date>`now()` })
    .where('integration_id', '=', integrationId)
    .where('consecutive_failures', '>', 0)
    .execute();
  await db
    .updateTable('integrations')
    .set({ paused_at: null, pause_code: null, pause_reason: null, paused_until: null })
    .where('id', '=', integrationId)
    .where('paused_until', 'is not', null)
    .where('paused_until', '<=', sql<Date>`now()`)
    .execute();
}

/**
 * Opens the breaker. An open pause is replaced only when it has expired (half-open and failing again) or when the
 * new one is stricter (no reopening time), so the first reason for a lasting pause is kept.
 */
export async function pauseIntegration(
  db: Database,
  integrationId: string,
  pause: { code: string; reason: string; untilMs: number | null },
): Promise<boolean> {
  const until = pause.untilMs === null ? null : new Date(Date.now() + pause.untilMs);
  const result = await db
    .updateTable('integrations')
    .set({
      paused_at: sql<Date>`now()`,
      pause_code: pause.code,
      pause_reason: pause.reason.slice(0, 1000),
      paused_until: until,
    })
    .where('id', '=', integrationId)
    .where((eb) =>
      eb.or([
        eb('paused_at', 'is', null),
        eb('paused_until', '<=', sql<Date>`now()`),
        ...(until === null ? [eb('paused_until', 'is not', null)] : []),
      ]),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Closes the breaker and clears the error budget; returns whether the integration was paused. */
export async function resumeIntegration(db: Database, integrationId: string): Promise<boolean> {
  const result = await db
    .updateTable('integrations')
    .set({ paused_at: null, pause_code: null, pause_reason: null, paused_until: null })
    .where('id', '=', integrationId)
    .where('paused_at', 'is not', null)
    .executeTakeFirst();
  await db
    .updateTable('integration_health')
    .set({ consecutive_failures: 0, window_errors: 0, updated_at: sql<Date>`now()` })
    .where('integration_id', '=', integrationId)
    .execute();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * RUNNING → QUEUED until `runAt`, without spending the attempt: the job could not run now for a reason that is not
 * its own (its integration is paused). Only the attempt that holds the job can defer it; a job whose cancel was
 * requested meanwhile ends CANCELLED instead.
 */
export async function deferSyncJob(
  db: Database,
  id: string,
  attempt: number,
  defer: { runAt: Date; error: JobError },
): Promise<SyncJob | undefined> {
  return db
    .updateTable('sync_jobs')
    .set({
      status: sql<JobStatus>`CASE WHEN cancel_requested_at IS NULL THEN 'QUEUED' ELSE 'CANCELLED' END`,
      attempts: sql<number>`CASE WHEN cancel_requested_at IS NULL THEN attempts - 1 ELSE attempts END`,
      run_at: defer.runAt,
      error: JSON.stringify(defer.error),
      message: `Waiting: ${defer.error.message}`.slice(0, 1000),
      worker_id: null,
      finished_at: sql<Date | null>`CASE WHEN cancel_requested_at IS NULL THEN NULL ELSE now() END`,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('status', '=', 'RUNNING')
    .where('attempts', '=', attempt)
    .returningAll()
    .executeTakeFirst();
}
