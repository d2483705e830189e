/**
 * RUNNING → QUEUED without spending the attempt: a stopping worker hands back a job whose handler it stopped, so the
 * next worker runs it as the same attempt. Guarded like every transition: only the attempt that holds the job can
 * hand it back, and a job whose cancel was requested meanwhile ends CANCELLED instead.
 */
import { sql } from 'kysely';
import type { Database } from '../database.ts';
import type { JobStatus, SyncJob } from '../types.ts';

export const HANDED_BACK_MESSAGE = 'Handed back to its queue by a stopping worker';

export async function handBackSyncJob(
  db: Database,
  id: string,
  attempt: number,
): Promise<SyncJob | undefined> {
  return db
    .updateTable('sync_jobs')
    .set({
      status: sql<JobStatus>`CASE WHEN cancel_requested_at IS NULL THEN 'QUEUED' ELSE 'CANCELLED' END`,
      attempts: sql<number>`CASE WHEN cancel_requested_at IS NULL THEN attempts - 1 ELSE attempts END`,
      // A first attempt handed back never really started: its wait and run times start over.
      started_at: sql<Date | null>`CASE WHEN cancel_requested_at IS NULL AND attempts = 1 THEN NULL ELSE started_at END`,
      finished_at: sql<Date | null>`CASE WHEN cancel_requested_at IS NULL THEN NULL ELSE now() END`,
      error: sql<string | null>`CASE WHEN cancel_requested_at IS NULL THEN error
        ELSE jsonb_build_object('code', 'CANCELLED', 'message', 'Cancelled by request', 'attempt', attempts) END`,
      message: HANDED_BACK_MESSAGE,
      worker_id: null,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('status', '=', 'RUNNING')
    .where('attempts', '=', attempt)
    .returningAll()
    .executeTakeFirst();
}
