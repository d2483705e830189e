/** The newest log lines of each job: appended by workers in batches, trimmed to a bound per job. */
import { sql } from 'kysely';
import type { Database } from '../database.ts';

export const JOB_LOG_LEVELS = ['INFO', 'WARN', 'ERROR', 'FATAL'] as const;
export type JobLogLevel = (typeof JOB_LOG_LEVELS)[number];

export interface NewSyncJobLogLine {
  jobId: string;
  attempt: number;
  level: JobLogLevel;
  message: string;
  /** The line's own fields (JSON text), or null. */
  data: string | null;
  workerId: string | null;
  at: Date;
}

export interface SyncJobLogLine {
  id: string;
  job_id: string;
  attempt: number;
  level: JobLogLevel;
  message: string;
  data: unknown;
  worker_id: string | null;
  at: Date;
}

/**
 * Appends lines of any number of jobs in one statement (lines of jobs deleted meanwhile are dropped), then removes
 * the lines beyond the newest `keepPerJob` of the jobs in `trim` (default: every job touched). A caller that knows
 * which jobs cannot be over the limit (see server/monitor/job-log-sink.ts) names only the others; with none, no
 * DELETE is sent.
 */
export async function appendSyncJobLogLines(
  db: Database,
  lines: NewSyncJobLogLine[],
  keepPerJob: number,
  trim: string[] = [...new Set(lines.map((l) => l.jobId))],
): Promise<void> {
  if (lines.length === 0) return;
  await sql`
    INSERT INTO sync_job_logs (job_id, attempt, level, message, data, worker_id, at)
    SELECT l.job_id, l.attempt, l.level, l.message, l.data, l.worker_id, l.at
    FROM unnest(
      ${lines.map((l) => l.jobId)}::uuid[], ${lines.map((l) => l.attempt)}::int[],
      ${lines.map((l) => l.level)}::text[], ${lines.map((l) => l.message)}::text[],
      ${lines.map((l) => l.data)}::jsonb[], ${lines.map((l) => l.workerId)}::text[],
      ${lines.map((l) => l.at)}::timestamptz[]
    ) WITH ORDINALITY AS l(job_id, attempt, level, message, data, worker_id, at, n)
    WHERE EXISTS (SELECT 1 FROM sync_jobs j WHERE j.id = l.job_id)
    ORDER BY l.n`.execute(db);
  if (trim.length === 0) return;
  await sql`
    DELETE FROM sync_job_logs d USING (
      SELECT id FROM (
        SELECT id, row_number() OVER (PARTITION BY job_id ORDER BY id DESC) AS rn
        FROM sync_job_logs WHERE job_id = ANY(${trim}::uuid[])
      ) ranked WHERE rn > ${keepPerJob}
    ) old
    WHERE d.id = old.id`.execute(db);
}

/** The newest `limit` lines of a job, oldest first. */
export async function listSyncJobLogLines(
  db: Database,
  jobId: string,
  limit: number,
): Promise<SyncJobLogLine[]> {
  const { rows } = await sql<SyncJobLogLine>`
    SELECT id::text AS id, job_id, attempt, level, message, data, worker_id, at FROM (
      SELECT * FROM sync_job_logs WHERE job_id = ${jobId} ORDER BY sync_job_logs.id DESC LIMIT ${limit}
    ) newest ORDER BY newest.id`.execute(db);
  return rows;
}
