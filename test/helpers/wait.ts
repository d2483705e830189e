import type { Database } from '../../db/database.ts';
import { findSyncJobById } from '../../db/queries/sync-job.ts';
import type { SyncJob } from '../../db/types.ts';

/**
 * Polls `probe` until it returns a value other than undefined/false, or fails after `timeoutMs` with `what`.
 * For state kept in Postgres, which has no push channel of its own, polling with a deadline is the event wait.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out waiting for ${what}${last instanceof Error ? ` (last error: ${last.message})` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 25));
  }
}

/** Waits (with a deadline) until job `id`'s row in Postgres satisfies `what`, and returns that row. */
export async function waitForJob(
  db: Database,
  id: string,
  what: (job: SyncJob) => boolean,
  label: string,
  timeoutMs = 20_000,
): Promise<SyncJob> {
  return waitFor(
    label,
    async () => {
      const job = await findSyncJobById(db, id);
      return job && what(job) ? job : undefined;
    },
    { timeoutMs },
  );
}
