/**
 * Queue performance from the record, so a restart loses nothing: finished per minute over 1/5/15 minutes, and wait
 * and run time percentiles. Parents of full syncs are not queue work (their children are) and are left out.
 */
import { sql } from 'kysely';
import type { Database } from '../database.ts';
import type { QueueName } from '../types.ts';

export const THROUGHPUT_WINDOWS_MINUTES = [1, 5, 15] as const;

export interface QueuePerformanceRow {
  queue: QueueName;
  completed_1: number;
  failed_1: number;
  completed_5: number;
  failed_5: number;
  completed_15: number;
  failed_15: number;
  /** Over the percentile window. */
  completed: number;
  failed: number;
  wait_count: number;
  /** p50, p95, p99 in seconds, or null when no job started in the window. */
  wait: number[] | null;
  run_count: number;
  run: number[] | null;
}

/**
 * Per queue with any recent work. Wait time is `started_at − coalesce(run_at, created_at)` of the jobs that started in
 * the last `windowMinutes` (a retried job, whose `run_at` moved past its first start, is left out); run time is
 * `finished_at − started_at` of the jobs that completed or failed in that window.
 */
export async function queuePerformanceRows(
  db: Database,
  windowMinutes: number,
): Promise<QueuePerformanceRow[]> {
  const span = Math.max(windowMinutes, 15);
  const window = sql`now() - make_interval(mins => ${windowMinutes})`;
  const started = sql`started_at > ${window} AND (run_at IS NULL OR run_at <= started_at)`;
  const ran = sql`status IN ('COMPLETED', 'FAILED') AND finished_at > ${window} AND started_at IS NOT NULL`;
  const done = (status: string, minutes: number) =>
    sql`count(*) FILTER (WHERE status = ${status} AND finished_at > now() - make_interval(mins => ${minutes}))::int`;
  const { rows } = await sql<QueuePerformanceRow>`
    WITH recent AS (
      -- Every job that started in the window has either finished since, or is still running.
      SELECT queue, status, created_at, run_at, started_at, finished_at FROM sync_jobs
      WHERE finished_at > now() - make_interval(mins => ${span}) AND child_count IS NULL
      UNION ALL
      SELECT queue, status, created_at, run_at, started_at, finished_at FROM sync_jobs
      WHERE status = 'RUNNING' AND child_count IS NULL
    )
    SELECT queue,
      ${done('COMPLETED', 1)} AS completed_1, ${done('FAILED', 1)} AS failed_1,
      ${done('COMPLETED', 5)} AS completed_5, ${done('FAILED', 5)} AS failed_5,
      ${done('COMPLETED', 15)} AS completed_15, ${done('FAILED', 15)} AS failed_15,
      ${done('COMPLETED', windowMinutes)} AS completed, ${done('FAILED', windowMinutes)} AS failed,
      count(*) FILTER (WHERE ${started})::int AS wait_count,
      percentile_cont(ARRAY[0.5, 0.95, 0.99]::float8[]) WITHIN GROUP (
        ORDER BY extract(epoch FROM started_at - coalesce(run_at, created_at))::float8
      ) FILTER (WHERE ${started}) AS wait,
      count(*) FILTER (WHERE ${ran})::int AS run_count,
      percentile_cont(ARRAY[0.5, 0.95, 0.99]::float8[]) WITHIN GROUP (
        ORDER BY extract(epoch FROM finished_at - started_at)::float8
      ) FILTER (WHERE ${ran}) AS run
    FROM recent GROUP BY queue`.execute(db);
  return rows;
}
