/**
 * Retention of the job record: finished jobs older than a cutoff are deleted in small batches, oldest first. Their
 * timeline rows (sync_job_events) go with them (ON DELETE CASCADE). QUEUED and RUNNING jobs are never candidates.
 */
import { sql } from 'kysely';
import type { Database } from '../database.ts';
import { FINISHED_STATUSES } from '../types.ts';

/** The database's now() minus `olderThanMs`: finished_at is stamped by the database clock, so compare with it. */
export async function retentionCutoff(db: Database, olderThanMs: number): Promise<Date> {
  const { rows } = await sql<{ cutoff: Date }>`
    SELECT now() - ${olderThanMs} * interval '1 millisecond' AS cutoff`.execute(db);
  return new Date(rows[0]!.cutoff);
}

export async function countExpiredSyncJobs(db: Database, cutoff: Date): Promise<number> {
  const row = await db
    .selectFrom('sync_jobs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', 'in', FINISHED_STATUSES)
    .where('finished_at', '<', cutoff)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Deletes at most `limit` finished jobs that finished before `cutoff`, oldest first, and returns how many. Rows
 * another transaction holds are skipped rather than waited for, so a batch never queues behind live work.
 */
export async function deleteExpiredSyncJobs(db: Database, cutoff: Date, limit: number): Promise<number> {
  const result = await db
    .deleteFrom('sync_jobs')
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('sync_jobs')
        .select('id')
        .where('status', 'in', FINISHED_STATUSES)
        .where('finished_at', '<', cutoff)
        .orderBy('finished_at')
        .orderBy('id')
        .limit(limit)
        .forUpdate()
        .skipLocked(),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
