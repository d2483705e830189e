/**
 * Queue control, the record of it: which queues are paused (workers read this at start and whenever they are told
 * over Redis, so a pause survives worker and Redis restarts), and purging a queue's waiting jobs.
 */
import { sql } from 'kysely';
import type { Database } from '../database.ts';
import type { JobError, QueueName, SyncJob } from '../types.ts';

export interface QueueControlRow {
  queue: QueueName;
  paused: boolean;
  changed_at: Date;
}

export async function listQueueControls(db: Database): Promise<QueueControlRow[]> {
  const { rows } = await sql<QueueControlRow>`SELECT queue, paused, changed_at FROM queue_controls`.execute(
    db,
  );
  return rows;
}

export async function listPausedQueues(db: Database): Promise<QueueName[]> {
  const { rows } = await sql<{ queue: QueueName }>`
    SELECT queue FROM queue_controls WHERE paused ORDER BY queue`.execute(db);
  return rows.map((r) => r.queue);
}

/** Pauses or resumes a queue; `changed_at` moves only when the state changes. */
export async function setQueuePaused(
  db: Database,
  queue: QueueName,
  paused: boolean,
): Promise<QueueControlRow> {
  const { rows } = await sql<QueueControlRow>`
    INSERT INTO queue_controls AS c (queue, paused) VALUES (${queue}, ${paused})
    ON CONFLICT (queue) DO UPDATE SET
      paused = excluded.paused,
      changed_at = CASE WHEN c.paused IS DISTINCT FROM excluded.paused THEN now() ELSE c.changed_at END
    RETURNING queue, paused, changed_at`.execute(db);
  return rows[0]!;
}

/**
 * QUEUED → CANCELLED for up to `limit` waiting jobs of one queue (delayed ones too), in one statement; running jobs
 * are untouched. Parents of full syncs are not queue work and are left to their children's roll-up. Call it until
 * it returns fewer than `limit` rows.
 */
export async function cancelQueuedSyncJobsInQueue(
  db: Database,
  queue: QueueName,
  reason: string,
  limit: number,
): Promise<SyncJob[]> {
  return (
    db
      .updateTable('sync_jobs')
      .set({
        status: 'CANCELLED',
        dedup_key: null,
        cancel_requested_at: sql<Date>`now()`,
        finished_at: sql<Date>`now()`,
        updated_at: sql<Date>`now()`,
        message: reason,
        error: JSON.stringify({ code: 'CANCELLED', message: reason } satisfies JobError),
      })
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('sync_jobs')
          .select('id')
          .where('queue', '=', queue)
          .where('status', '=', 'QUEUED')
          .where('child_count', 'is', null)
          .limit(limit),
      )
      // Checked again on the row itself: a job may have started since the subquery saw it.
      .where('status', '=', 'QUEUED')
      .returningAll()
      .execute()
  );
}
