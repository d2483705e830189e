/**
 * The state-machine writes a worker makes, retried while Postgres is unreachable (a restart, a failover), with the
 * same signatures and guards as db/queries/sync-job.ts. Losing one of them would do work twice: a completion that
 * is not recorded leaves the job RUNNING, and its next delivery runs the handler again.
 *
 * A guarded write is safe to repeat: it carries the attempt number, so it changes nothing once the attempt no longer
 * holds the job. The one ambiguity is a try that committed but whose reply was lost: the repeat then finds nothing to
 * change, and the row is read back to tell "my earlier try did it" from "someone else did".
 */
import type { Database } from '../../db/database.ts';
import * as jobs from '../../db/queries/sync-job.ts';
import type { JobStatus, QueueName, SyncJob } from '../../db/types.ts';
import { retryWhileDatabaseUnavailable } from '../../db/availability.ts';

/** How long an outcome is retried. Longer than a restart or a failover; after it Bee-Queue's retry takes over. */
export const OUTCOME_RETRY_MS = 120_000;
/** How long claiming a delivery is retried before the delivery is given back to Bee-Queue. */
export const CLAIM_RETRY_MS = 30_000;

const retry = { initialDelayMs: 100, maxDelayMs: 2000 };

/** After a lost reply: the row as the earlier try left it, if that try was the one that changed it. */
async function readBack(
  db: Database,
  id: string,
  attempt: number,
  statuses: JobStatus[],
): Promise<SyncJob | undefined> {
  const row = await jobs.findSyncJobById(db, id);
  return row && row.attempts === attempt && statuses.includes(row.status) ? row : undefined;
}

export function startSyncJob(db: Database, id: string, queue: QueueName, workerId: string) {
  return retryWhileDatabaseUnavailable(() => jobs.startSyncJob(db, id, queue, workerId), {
    deadlineMs: CLAIM_RETRY_MS,
    ...retry,
  });
}

export function settleUnstartableSyncJob(db: Database, id: string, queue: QueueName) {
  return retryWhileDatabaseUnavailable(() => jobs.settleUnstartableSyncJob(db, id, queue), {
    deadlineMs: OUTCOME_RETRY_MS,
    ...retry,
  });
}

export function finishSyncJob(
  db: Database,
  id: string,
  attempt: number,
  outcome: Parameters<typeof jobs.finishSyncJob>[3],
): Promise<SyncJob | undefined> {
  // A completion becomes CANCELLED when a cancel was accepted meanwhile (see finishSyncJob).
  const expected: JobStatus[] =
    outcome.status === 'COMPLETED' ? ['COMPLETED', 'CANCELLED'] : [outcome.status];
  return retryWhileDatabaseUnavailable(
    async (retried) =>
      (await jobs.finishSyncJob(db, id, attempt, outcome)) ??
      (retried ? await readBack(db, id, attempt, expected) : undefined),
    { deadlineMs: OUTCOME_RETRY_MS, ...retry },
  );
}

export function requeueSyncJobForRetry(
  db: Database,
  id: string,
  attempt: number,
  next: Parameters<typeof jobs.requeueSyncJobForRetry>[3],
): Promise<SyncJob | undefined> {
  return retryWhileDatabaseUnavailable(
    async (retried) =>
      (await jobs.requeueSyncJobForRetry(db, id, attempt, next)) ??
      (retried ? await readBack(db, id, attempt, ['QUEUED', 'CANCELLED']) : undefined),
    { deadlineMs: OUTCOME_RETRY_MS, ...retry },
  );
}

export function handBackSyncJob(db: Database, id: string, attempt: number): Promise<SyncJob | undefined> {
  return retryWhileDatabaseUnavailable(
    async (retried) =>
      (await jobs.handBackSyncJob(db, id, attempt)) ??
      // A handed-back job gives its attempt back, so the row read back carries attempt - 1.
      (retried
        ? ((await readBack(db, id, attempt - 1, ['QUEUED'])) ??
          (await readBack(db, id, attempt, ['CANCELLED'])))
        : undefined),
    { deadlineMs: OUTCOME_RETRY_MS, ...retry },
  );
}
