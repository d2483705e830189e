/** Watching jobs the bench created: completion from Postgres (the record), and the events published on Redis. */
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import type { Database } from '../../db/database.ts';
import { jobTopics } from '../../server/events/job-events.ts';
import { poll } from './stats.ts';

export interface Completion {
  total: number;
  completed: number;
  /** FAILED or CANCELLED: the bench's jobs should never end this way. */
  unsuccessful: number;
  /** Latest finished_at (Postgres now() of the last completion), epoch ms. */
  lastFinishedAt: number | null;
  firstCreatedAt: number | null;
}

export async function completionOf(db: Database, ids: readonly string[]): Promise<Completion> {
  const { rows } = await sql<{
    total: number;
    completed: number;
    unsuccessful: number;
    last_finished_at: Date | null;
    first_created_at: Date | null;
  }>`
    SELECT count(*)::int AS total,
      count(*) FILTER (WHERE status = 'COMPLETED')::int AS completed,
      count(*) FILTER (WHERE status IN ('FAILED', 'CANCELLED'))::int AS unsuccessful,
      max(finished_at) AS last_finished_at,
      min(created_at) AS first_created_at
    FROM sync_jobs WHERE id = ANY(${[...ids]}::uuid[])`.execute(db);
  const row = rows[0]!;
  return {
    total: row.total,
    completed: row.completed,
    unsuccessful: row.unsuccessful,
    lastFinishedAt: row.last_finished_at?.getTime() ?? null,
    firstCreatedAt: row.first_created_at?.getTime() ?? null,
  };
}

/** Waits until every job is finished (COMPLETED, FAILED or CANCELLED); the caller checks how they ended. */
export async function waitForJobs(
  db: Database,
  ids: readonly string[],
  options: { timeoutMs: number; intervalMs?: number; what?: string },
): Promise<Completion> {
  return poll(
    options.what ?? `${ids.length} jobs to finish`,
    async () => {
      const c = await completionOf(db, ids);
      return c.completed + c.unsuccessful >= ids.length ? c : undefined;
    },
    { timeoutMs: options.timeoutMs, intervalMs: options.intervalMs ?? 250 },
  );
}

/**
 * Counts the events published on `<prefix>:jobEvents` by kind. It reads only the head of each message (the kind
 * comes first in the JSON), so the bench process stays light while thousands of events a second arrive.
 */
export async function countJobEvents(
  redisUrl: string,
  prefix: string,
): Promise<{ counts: Record<string, number>; total(): number; close(): Promise<void> }> {
  const subscriber = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const counts: Record<string, number> = {};
  const head = /^\{"kind":"([A-Z_]+)"/;
  subscriber.on('messageBuffer', (_channel: Buffer, message: Buffer) => {
    const kind = head.exec(message.toString('latin1', 0, 32))?.[1] ?? 'UNKNOWN';
    counts[kind] = (counts[kind] ?? 0) + 1;
  });
  await subscriber.subscribe(jobTopics.jobEvents(prefix));
  return {
    counts,
    total: () => Object.values(counts).reduce((a, n) => a + n, 0),
    async close() {
      await subscriber.quit().catch(() => undefined);
    },
  };
}
