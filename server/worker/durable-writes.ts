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
import { createCoalescer } from './coalescer.ts';

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

/** A completion becomes CANCELLED when a cancel was accepted meanwhile (see finishSyncJobs). */
function finishedAs(status: jobs.Outcome['status']): JobStatus[] {
  return status === 'COMPLETED' ? ['COMPLETED', 'CANCELLED'] : [status];
}

/** The three writes every job makes, coalesced across the jobs of this worker: one statement per batch. */
export interface StateWrites {
  claim(id: string, queue: QueueName): Promise<jobs.ClaimedJob | undefined>;
  /** Progress of a running attempt; undefined if it no longer holds the job. Not retried: the next one will do. */
  progress(id: string, attempt: number, counts: jobs.JobCounts): Promise<SyncJob | undefined>;
  finish(id: string, attempt: number, outcome: jobs.Outcome): Promise<SyncJob | undefined>;
}

/** Batches never hold more rows than this; Postgres takes arrays, so it is about latency, not parameters. */
const MAX_BATCH = 500;

export function createStateWrites(db: Database, workerId: string): StateWrites {
  const byId = (w: { id: string }) => w.id;
  const claims = createCoalescer<jobs.Claim, jobs.ClaimedJob | undefined>({
    maxBatch: MAX_BATCH,
    key: byId,
    async run(batch) {
      const claimed = await retryWhileDatabaseUnavailable(() => jobs.claimSyncJobs(db, workerId, batch), {
        deadlineMs: CLAIM_RETRY_MS,
        ...retry,
      });
      return batch.map((c) => claimed.get(c.id));
    },
  });
  const progress = createCoalescer<jobs.HeldWrite, SyncJob | undefined>({
    maxBatch: MAX_BATCH,
    key: byId,
    async run(batch) {
      const rows = await jobs.updateSyncJobsProgress(db, batch);
      return batch.map((w) => rows.get(w.id));
    },
  });
  const finishes = createCoalescer<jobs.FinishWrite, SyncJob | undefined>({
    maxBatch: MAX_BATCH,
    key: byId,
    run: (batch) =>
      retryWhileDatabaseUnavailable(
        async (retried) => {
          const rows = await jobs.finishSyncJobs(db, batch);
          if (!retried || rows.size === batch.length) return batch.map((w) => rows.get(w.id));
          // A try that committed but lost its reply leaves nothing for the repeat to change.
          const missing = batch.filter((w) => !rows.has(w.id));
          const now = new Map((await jobs.findSyncJobsByIds(db, missing.map(byId))).map((r) => [r.id, r]));
          return batch.map((w) => {
            const row = rows.get(w.id) ?? now.get(w.id);
            return row && row.attempts === w.attempt && finishedAs(w.status).includes(row.status)
              ? row
              : undefined;
          });
        },
        { deadlineMs: OUTCOME_RETRY_MS, ...retry },
      ),
  });
  return {
    claim: (id, queue) => claims.push({ id, queue }),
    progress: (id, attempt, counts) => progress.push({ id, attempt, counts }),
    finish: (id, attempt, outcome) => finishes.push({ id, attempt, ...outcome }),
  };
}

export function settleUnstartableSyncJob(db: Database, id: string, queue: QueueName) {
  return retryWhileDatabaseUnavailable(() => jobs.settleUnstartableSyncJob(db, id, queue), {
    deadlineMs: OUTCOME_RETRY_MS,
    ...retry,
  });
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
