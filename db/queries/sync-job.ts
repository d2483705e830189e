/**
 * The job state machine. Every status change is one guarded, conditional UPDATE here:
 *   QUEUED → RUNNING → COMPLETED | FAILED | CANCELLED,  RUNNING → QUEUED (retry),  QUEUED → CANCELLED.
 * Writes made on behalf of an attempt carry its number, so a late write from an abandoned attempt changes nothing.
 */
import { CompiledQuery, sql, type Expression, type SqlBool } from 'kysely';
import type { Database } from '../database.ts';
import { prepared } from '../prepared.ts';
import type {
  Integration,
  JobError,
  JobStatus,
  JobType,
  NewSyncJob,
  Priority,
  QueueName,
  SyncJob,
  SyncJobEvent,
} from '../types.ts';

export interface JobCounts {
  processed: number;
  total: number | null;
  failed: number;
  message?: string | null;
}

export interface SyncJobFilter {
  parentId?: string;
  /** Only top-level jobs (no children of a full sync). */
  topLevel?: boolean;
  status?: JobStatus[];
  syncType?: JobType[];
  integrationId?: string;
  priority?: Priority[];
  queue?: QueueName[];
  createdAfter?: Date;
  createdBefore?: Date;
}

function progressOf(counts: JobCounts): number {
  if (!counts.total || counts.total <= 0) return 0;
  return Math.min(100, Math.round((counts.processed / counts.total) * 1000) / 10);
}

/** Inserts new jobs in one statement; rows that collide on an idempotency or dedup key are skipped. */
/** Rows per INSERT: stays far below Postgres' 65,535 bind parameters per statement. */
const INSERT_CHUNK = 2000;

export async function insertSyncJobs(db: Database, jobs: NewSyncJob[]): Promise<SyncJob[]> {
  const inserted: SyncJob[] = [];
  for (let i = 0; i < jobs.length; i += INSERT_CHUNK) {
    const rows = await db
      .insertInto('sync_jobs')
      .values(jobs.slice(i, i + INSERT_CHUNK))
      .onConflict((oc) => oc.doNothing())
      .returningAll()
      .execute();
    inserted.push(...rows);
  }
  return inserted;
}

export async function findSyncJobById(db: Database, id: string): Promise<SyncJob | undefined> {
  return db.selectFrom('sync_jobs').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findSyncJobsByIds(db: Database, ids: string[]): Promise<SyncJob[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('sync_jobs').selectAll().where('id', 'in', ids).execute();
}

export async function findSyncJobsByIdempotencyKeys(db: Database, keys: string[]): Promise<SyncJob[]> {
  if (keys.length === 0) return [];
  return db.selectFrom('sync_jobs').selectAll().where('idempotency_key', 'in', keys).execute();
}

export async function findSyncJobsByDedupKeys(db: Database, keys: string[]): Promise<SyncJob[]> {
  if (keys.length === 0) return [];
  return db.selectFrom('sync_jobs').selectAll().where('dedup_key', 'in', keys).execute();
}

function applyFilter(db: Database, filter: SyncJobFilter) {
  let q = db.selectFrom('sync_jobs');
  if (filter.parentId) q = q.where('parent_id', '=', filter.parentId);
  if (filter.topLevel) q = q.where('parent_id', 'is', null);
  if (filter.status?.length) q = q.where('status', 'in', filter.status);
  if (filter.syncType?.length) q = q.where('sync_type', 'in', filter.syncType);
  if (filter.integrationId) q = q.where('integration_id', '=', filter.integrationId);
  if (filter.priority?.length) q = q.where('priority', 'in', filter.priority);
  if (filter.queue?.length) q = q.where('queue', 'in', filter.queue);
  if (filter.createdAfter) q = q.where('created_at', '>=', filter.createdAfter);
  if (filter.createdBefore) q = q.where('created_at', '<', filter.createdBefore);
  return q;
}

/** Newest first, keyset-paginated on (created_at, id). */
export async function listSyncJobs(
  db: Database,
  filter: SyncJobFilter,
  page: { limit: number; after?: { createdAt: Date; id: string }; offset?: number },
): Promise<SyncJob[]> {
  let q = applyFilter(db, filter).selectAll();
  const after = page.after;
  if (after) {
    // created_at has microseconds but the cursor's Date only milliseconds: compare against the cursor row's own
    // value, or rows sharing its millisecond (a bulk insert shares one now()) would be skipped.
    const at = sql<Date>`coalesce((SELECT c.created_at FROM sync_jobs c WHERE c.id = ${after.id}), ${after.createdAt})`;
    q = q.where((eb) =>
      eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', after.id)])]),
    );
  }
  q = q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit);
  if (page.offset) q = q.offset(page.offset);
  return q.execute();
}

export async function countSyncJobs(db: Database, filter: SyncJobFilter): Promise<number> {
  const row = await applyFilter(db, filter)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A delivery to claim: the job id and the queue it came from. */
export interface Claim {
  id: string;
  queue: QueueName;
}

export interface ClaimedJob {
  job: SyncJob;
  integration: Integration | null;
  /** The integration's sync watermarks as they were at the claim, by resource. */
  watermarks: ReadonlyMap<string, Date>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * QUEUED → RUNNING for delivered jobs, or a take-over of a RUNNING job whose worker was declared stalled, with each
 * job's integration and watermarks, in one statement for the whole batch. A delivery that must not run (cancelled,
 * finished, attempts spent, stale) has no entry in the result; the result is keyed by job id.
 */
export async function claimSyncJobs(
  db: Database,
  workerId: string,
  claims: readonly Claim[],
): Promise<Map<string, ClaimedJob>> {
  // Bee-Queue ids are ours, but a malformed one must not fail the cast of the whole batch.
  const valid = claims.filter((c) => UUID.test(c.id));
  const claimed = new Map<string, ClaimedJob>();
  if (valid.length === 0) return claimed;
  const { rows } = await db.executeQuery<ClaimedRow>(
    CompiledQuery.raw(prepared(CLAIM_SQL), [workerId, valid.map((c) => c.id), valid.map((c) => c.queue)]),
  );
  for (const { integration, watermarks, ...job } of rows) {
    claimed.set(job.id, {
      job,
      integration: integration
        ? {
            ...integration,
            created_at: new Date(integration.created_at),
            updated_at: new Date(integration.updated_at),
            paused_at: integration.paused_at === null ? null : new Date(integration.paused_at),
            paused_until: integration.paused_until === null ? null : new Date(integration.paused_until),
          }
        : null,
      watermarks: new Map(Object.entries(watermarks ?? {}).map(([resource, at]) => [resource, new Date(at)])),
    });
  }
  return claimed;
}

/** claimSyncJobs for one delivery. */
export async function startSyncJob(
  db: Database,
  id: string,
  queue: QueueName,
  workerId: string,
): Promise<ClaimedJob | undefined> {
  return (await claimSyncJobs(db, workerId, [{ id, queue }])).get(id);
}

type JsonDates<T> = {
  [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K];
};
type ClaimedRow = SyncJob & {
  integration: JsonDates<Integration> | null;
  watermarks: Record<string, string> | null;
};

/*
 * The statements every job runs (claim, progress, finish) are fixed SQL text, written once, and take arrays: a
 * worker coalesces the writes of all the jobs it runs into one statement per kind (server/worker/state-writes.ts).
 * Building them with the query builder on every call cost the worker about a tenth of its CPU. Same guards as the
 * builder queries elsewhere.
 */
const CLAIM_SQL = `UPDATE sync_jobs SET status = 'RUNNING', attempts = attempts + 1,
  started_at = coalesce(started_at, now()), worker_id = $1, heartbeat_at = now(), dedup_key = NULL, updated_at = now()
FROM unnest($2::uuid[], $3::text[]) AS c(id, queue)
WHERE sync_jobs.id = c.id AND sync_jobs.id = ANY($2::uuid[])
  -- Parents are rolled up from their children, never run.
  AND child_count IS NULL
  -- A delivery from a queue the job no longer belongs to (it was promoted) is stale.
  AND sync_jobs.queue = c.queue
  -- QUEUED or RUNNING, said so that the partial index of open jobs cannot serve it (see HELD).
  AND status NOT IN ('COMPLETED', 'FAILED', 'CANCELLED') AND cancel_requested_at IS NULL AND attempts < max_attempts
  -- A delivery ahead of the job's time (it was rescheduled meanwhile) is stale; the delayed copy will come.
  AND (run_at IS NULL OR run_at <= now() + interval '1 second')
RETURNING sync_jobs.*,
  -- The job's integration and watermarks come back in the same round trip (as JSON: dates are revived above).
  (SELECT to_json(i) FROM integrations i WHERE i.id = sync_jobs.integration_id) AS integration,
  (SELECT json_object_agg(w.resource, w.watermark) FROM sync_watermarks w
    WHERE w.integration_id = sync_jobs.integration_id) AS watermarks`;

/** The arrays every held write takes ($1-$8), and their names: a batch is unnest()ed into rows `u`. */
const COUNTS_ARRAYS = `$1::uuid[], $2::int[], $3::int[], $4::int[], $5::int[], $6::real[], $7::boolean[], $8::text[]`;
const COUNTS_COLUMNS = 'id, attempt, processed, total, failed, progress, has_message, message';
/** `message` is kept when has_message is false (a count without a message leaves the last one in place). */
const SET_COUNTS = `processed_items = u.processed, total_items = u.total, failed_items = u.failed,
  progress = u.progress, message = CASE WHEN u.has_message THEN u.message ELSE sync_jobs.message END`;
/**
 * Held by (id, attempt) and RUNNING: the guard of every write made on behalf of an attempt. RUNNING is spelt as "none
 * of the other statuses" (the status CHECK allows five) on purpose: with `status = 'RUNNING'`, or IN (QUEUED,
 * RUNNING) in the claim, the planner may join a batch through the partial index of open jobs (status, queue) and
 * scan every waiting job of the queue for each row of the batch (with 10,000 waiting, a claim of 50 took 100 ms
 * instead of 10). Spelt this way that index cannot serve the query; `id = ANY(ids)` beside the join has each row
 * found by its primary key, where a join alone may get a hash join over the whole table.
 */
const HELD = `sync_jobs.id = u.id AND sync_jobs.id = ANY($1::uuid[]) AND sync_jobs.status NOT IN ('QUEUED', 'COMPLETED', 'FAILED', 'CANCELLED')
  AND sync_jobs.attempts = u.attempt`;

const PROGRESS_SQL = `UPDATE sync_jobs SET ${SET_COUNTS}, heartbeat_at = now(), updated_at = now()
FROM unnest(${COUNTS_ARRAYS}) AS u(${COUNTS_COLUMNS})
WHERE ${HELD}
RETURNING sync_jobs.*`;

// A cancel that was accepted (cancel_requested_at set) wins even when the handler got to the end first: the API
// promised CANCELLED. The counts and result still record what was done.
const FINISH_SQL = `UPDATE sync_jobs SET ${SET_COUNTS},
  status = CASE WHEN u.status = 'COMPLETED' AND cancel_requested_at IS NOT NULL THEN 'CANCELLED' ELSE u.status END,
  result = u.result,
  error = CASE WHEN u.status <> 'COMPLETED' THEN u.error
    WHEN cancel_requested_at IS NULL THEN NULL
    ELSE jsonb_build_object('code', 'CANCELLED', 'message', 'Cancelled by request after its work had finished',
      'attempt', u.attempt) END,
  finished_at = now(), updated_at = now()
FROM unnest(${COUNTS_ARRAYS}, $9::text[], $10::jsonb[], $11::jsonb[])
  AS u(${COUNTS_COLUMNS}, status, result, error)
WHERE ${HELD}
RETURNING sync_jobs.*`;

function heldBy(id: string, attempt: number) {
  return (eb: any): Expression<SqlBool> =>
    eb.and([eb('id', '=', id), eb('status', '=', 'RUNNING'), eb('attempts', '=', attempt)]);
}

/** A write on behalf of one attempt of one job. */
export interface HeldWrite {
  id: string;
  attempt: number;
  counts: JobCounts;
}

function countsArrays<W extends HeldWrite>(writes: readonly W[], progress: (w: W) => number): unknown[] {
  return [
    writes.map((w) => w.id),
    writes.map((w) => w.attempt),
    writes.map((w) => w.counts.processed),
    writes.map((w) => w.counts.total),
    writes.map((w) => w.counts.failed),
    writes.map(progress),
    writes.map((w) => w.counts.message !== undefined),
    writes.map((w) => w.counts.message ?? null),
  ];
}

function byId(rows: SyncJob[]): Map<string, SyncJob> {
  return new Map(rows.map((row) => [row.id, row]));
}

/** Coalesced progress writes, one statement. A write whose attempt no longer holds its job has no entry. */
export async function updateSyncJobsProgress(
  db: Database,
  writes: readonly HeldWrite[],
): Promise<Map<string, SyncJob>> {
  if (writes.length === 0) return new Map();
  const { rows } = await db.executeQuery<SyncJob>(
    CompiledQuery.raw(
      prepared(PROGRESS_SQL),
      countsArrays(writes, (w) => progressOf(w.counts)),
    ),
  );
  return byId(rows);
}

/** updateSyncJobsProgress for one job. Returns undefined if the attempt no longer holds the job. */
export async function updateSyncJobProgress(
  db: Database,
  id: string,
  attempt: number,
  counts: JobCounts,
): Promise<SyncJob | undefined> {
  return (await updateSyncJobsProgress(db, [{ id, attempt, counts }])).get(id);
}

export async function stampSyncJobHeartbeats(
  db: Database,
  held: { id: string; attempt: number }[],
): Promise<void> {
  if (held.length === 0) return;
  await sql`
    UPDATE sync_jobs SET heartbeat_at = now()
    FROM unnest(${held.map((h) => h.id)}::uuid[], ${held.map((h) => h.attempt)}::int[]) AS h(id, attempt)
    WHERE sync_jobs.id = h.id AND sync_jobs.attempts = h.attempt AND sync_jobs.status = 'RUNNING'`.execute(
    db,
  );
}

type FinalStatus = 'COMPLETED' | 'FAILED' | 'CANCELLED';

export interface Outcome {
  status: FinalStatus;
  counts: JobCounts;
  result?: unknown;
  error?: JobError | null;
}

export type FinishWrite = Omit<HeldWrite, 'counts'> & Outcome;

/**
 * RUNNING → COMPLETED | FAILED | CANCELLED for the attempts that hold their jobs, one statement for the batch. A
 * write whose attempt no longer holds its job has no entry in the result.
 */
export async function finishSyncJobs(
  db: Database,
  writes: readonly FinishWrite[],
): Promise<Map<string, SyncJob>> {
  if (writes.length === 0) return new Map();
  const { rows } = await db.executeQuery<SyncJob>(
    CompiledQuery.raw(prepared(FINISH_SQL), [
      ...countsArrays(writes, (w) => (w.status === 'COMPLETED' ? 100 : progressOf(w.counts))),
      writes.map((w) => w.status),
      writes.map((w) => (w.result === undefined ? null : JSON.stringify(w.result))),
      writes.map((w) => (w.status !== 'COMPLETED' && w.error ? JSON.stringify(w.error) : null)),
    ]),
  );
  return byId(rows);
}

/** finishSyncJobs for one job. Returns undefined if the attempt no longer holds the job. */
export async function finishSyncJob(
  db: Database,
  id: string,
  attempt: number,
  outcome: Outcome,
): Promise<SyncJob | undefined> {
  return (await finishSyncJobs(db, [{ id, attempt, ...outcome }])).get(id);
}

/**
 * RUNNING → QUEUED after a transient failure, or → CANCELLED when a cancel arrived meanwhile.
 * The caller hands the job back to the queue only when the row is QUEUED.
 */
export async function requeueSyncJobForRetry(
  db: Database,
  id: string,
  attempt: number,
  retry: { runAt: Date; error: JobError; counts: JobCounts },
): Promise<SyncJob | undefined> {
  return db
    .updateTable('sync_jobs')
    .set({
      status: sql<JobStatus>`CASE WHEN cancel_requested_at IS NULL THEN 'QUEUED' ELSE 'CANCELLED' END`,
      run_at: retry.runAt,
      error: JSON.stringify(retry.error),
      processed_items: retry.counts.processed,
      total_items: retry.counts.total,
      failed_items: retry.counts.failed,
      progress: progressOf(retry.counts),
      message: `Retrying after: ${retry.error.message}`.slice(0, 1000),
      worker_id: null,
      finished_at: sql<Date | null>`CASE WHEN cancel_requested_at IS NULL THEN NULL ELSE now() END`,
      updated_at: sql<Date>`now()`,
    })
    .where(heldBy(id, attempt))
    .returningAll()
    .executeTakeFirst();
}

export const HANDED_BACK_MESSAGE = 'Handed back to its queue by a stopping worker';

/**
 * RUNNING → QUEUED without spending the attempt: a stopping worker hands back a job whose handler it stopped, so the
 * next worker runs it as the same attempt. Only the attempt that holds the job can hand it back, and a job whose
 * cancel was requested meanwhile ends CANCELLED instead.
 */
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
    .where(heldBy(id, attempt))
    .returningAll()
    .executeTakeFirst();
}

/** QUEUED → CANCELLED. Returns undefined if the job was not waiting. */
export async function cancelQueuedSyncJob(
  db: Database,
  id: string,
  reason: string,
): Promise<SyncJob | undefined> {
  return db
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
    .where('id', '=', id)
    .where('status', '=', 'QUEUED')
    .returningAll()
    .executeTakeFirst();
}

/** Moves a waiting job to a higher priority and its queue. Returns undefined if it is no longer waiting. */
export async function promoteQueuedSyncJob(
  db: Database,
  id: string,
  priority: Priority,
  queue: QueueName,
): Promise<SyncJob | undefined> {
  return db
    .updateTable('sync_jobs')
    .set({ priority, queue, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('status', '=', 'QUEUED')
    .returningAll()
    .executeTakeFirst();
}

/** Moves a waiting job to a new time. Returns undefined if it is no longer waiting. */
export async function rescheduleQueuedSyncJob(
  db: Database,
  id: string,
  runAt: Date,
): Promise<SyncJob | undefined> {
  return db
    .updateTable('sync_jobs')
    .set({ run_at: runAt, dedup_key: null, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('status', '=', 'QUEUED')
    .returningAll()
    .executeTakeFirst();
}

/** A job's timeline, oldest first. */
export async function listSyncJobEvents(db: Database, jobId: string, limit = 500): Promise<SyncJobEvent[]> {
  return db
    .selectFrom('sync_job_events')
    .selectAll()
    .where('job_id', '=', jobId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Marks a waiting or running parent for cancellation; it ends CANCELLED when its last child finishes. */
export async function requestParentCancel(db: Database, id: string): Promise<SyncJob | undefined> {
  return db
    .updateTable('sync_jobs')
    .set({
      cancel_requested_at: sql<Date>`coalesce(cancel_requested_at, now())`,
      dedup_key: null,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('child_count', 'is not', null)
    .where('status', 'in', ['QUEUED', 'RUNNING'])
    .returningAll()
    .executeTakeFirst();
}

/** Children of a parent that have not finished. */
export async function listUnfinishedChildren(db: Database, parentId: string): Promise<SyncJob[]> {
  return db
    .selectFrom('sync_jobs')
    .selectAll()
    .where('parent_id', '=', parentId)
    .where('status', 'in', ['QUEUED', 'RUNNING'])
    .execute();
}

export async function listChildrenByStatus(
  db: Database,
  parentId: string,
  status: JobStatus[],
): Promise<SyncJob[]> {
  return db
    .selectFrom('sync_jobs')
    .selectAll()
    .where('parent_id', '=', parentId)
    .where('status', 'in', status)
    .orderBy('created_at')
    .execute();
}

/** Marks a RUNNING job for cancellation; the worker that holds it makes the final transition. */
export async function requestSyncJobCancel(db: Database, id: string): Promise<SyncJob | undefined> {
  return db
    .updateTable('sync_jobs')
    .set({
      cancel_requested_at: sql<Date>`coalesce(cancel_requested_at, now())`,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('status', '=', 'RUNNING')
    .returningAll()
    .executeTakeFirst();
}

/**
 * Settles a delivered job that cannot start: a RUNNING job with a pending cancel becomes CANCELLED, and a RUNNING job
 * whose attempts are spent (its worker died) becomes FAILED. Anything else is left alone.
 */
export async function settleUnstartableSyncJob(
  db: Database,
  id: string,
  queue: QueueName,
): Promise<SyncJob | undefined> {
  return db
    .updateTable('sync_jobs')
    .set({
      status: sql<JobStatus>`CASE WHEN cancel_requested_at IS NOT NULL THEN 'CANCELLED' ELSE 'FAILED' END`,
      error: sql<string>`CASE WHEN cancel_requested_at IS NOT NULL
        THEN jsonb_build_object('code', 'CANCELLED', 'message', 'Cancelled while its worker was lost')
        ELSE jsonb_build_object('code', 'WORKER_LOST', 'message', 'The worker running this job stopped and no attempts are left', 'attempt', attempts) END`,
      dedup_key: null,
      worker_id: null,
      finished_at: sql<Date>`now()`,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('queue', '=', queue)
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'QUEUED'), eb('cancel_requested_at', 'is not', null)]),
        eb.and([
          eb('status', '=', 'RUNNING'),
          eb.or([eb('cancel_requested_at', 'is not', null), eb('attempts', '>=', eb.ref('max_attempts'))]),
        ]),
      ]),
    )
    .returningAll()
    .executeTakeFirst();
}

/** QUEUED jobs due to run, oldest first: candidates for the reconciler's Redis check. */
export async function listQueuedSyncJobs(
  db: Database,
  options: { olderThan: Date; afterId?: string; limit: number },
): Promise<Pick<SyncJob, 'id' | 'queue' | 'run_at' | 'max_attempts' | 'attempts'>[]> {
  let q = db
    .selectFrom('sync_jobs')
    .select(['id', 'queue', 'run_at', 'max_attempts', 'attempts'])
    .where('status', '=', 'QUEUED')
    .where('child_count', 'is', null)
    .where('created_at', '<', options.olderThan);
  if (options.afterId) q = q.where('id', '>', options.afterId);
  return q.orderBy('id').limit(options.limit).execute();
}

/** RUNNING jobs whose worker has not stamped a heartbeat since `staleBefore`. */
export async function listStaleRunningSyncJobs(
  db: Database,
  staleBefore: Date,
  limit: number,
): Promise<Pick<SyncJob, 'id' | 'queue' | 'attempts'>[]> {
  return db
    .selectFrom('sync_jobs')
    .select(['id', 'queue', 'attempts'])
    .where('status', '=', 'RUNNING')
    .where('heartbeat_at', '<', staleBefore)
    .limit(limit)
    .execute();
}

/** A RUNNING attempt whose worker is gone (and which Redis no longer holds) goes back to QUEUED, or FAILED when spent. */
export async function recoverLostSyncJob(
  db: Database,
  id: string,
  attempt: number,
): Promise<SyncJob | undefined> {
  return db
    .updateTable('sync_jobs')
    .set({
      status: sql<JobStatus>`CASE WHEN cancel_requested_at IS NOT NULL THEN 'CANCELLED'
        WHEN attempts >= max_attempts THEN 'FAILED' ELSE 'QUEUED' END`,
      error: JSON.stringify({ code: 'WORKER_LOST', message: 'The worker running this job stopped', attempt }),
      worker_id: null,
      finished_at: sql<Date | null>`CASE WHEN cancel_requested_at IS NOT NULL OR attempts >= max_attempts
        THEN now() ELSE NULL END`,
      updated_at: sql<Date>`now()`,
    })
    .where(heldBy(id, attempt))
    .returningAll()
    .executeTakeFirst();
}

export interface QueueStatusRow {
  queue: string;
  waiting: number;
  delayed: number;
  active: number;
  completed_last_hour: number;
  failed_last_hour: number;
  oldest_waiting_at: Date | null;
}

/** Per-queue figures from the record: waiting, delayed, active, finished in the last hour, oldest waiting. */
export async function queueStatusCounts(db: Database): Promise<QueueStatusRow[]> {
  const { rows } = await sql<QueueStatusRow>`
    SELECT queue,
      count(*) FILTER (WHERE status = 'QUEUED' AND (run_at IS NULL OR run_at <= now()))::int AS waiting,
      count(*) FILTER (WHERE status = 'QUEUED' AND run_at > now())::int AS delayed,
      count(*) FILTER (WHERE status = 'RUNNING')::int AS active,
      0 AS completed_last_hour, 0 AS failed_last_hour,
      min(coalesce(run_at, created_at)) FILTER (WHERE status = 'QUEUED' AND (run_at IS NULL OR run_at <= now()))
        AS oldest_waiting_at
    FROM sync_jobs WHERE status IN ('QUEUED', 'RUNNING') AND child_count IS NULL GROUP BY queue
    UNION ALL
    SELECT queue, 0, 0, 0,
      count(*) FILTER (WHERE status = 'COMPLETED')::int,
      count(*) FILTER (WHERE status = 'FAILED')::int,
      NULL
    FROM sync_jobs WHERE finished_at > now() - interval '1 hour' AND child_count IS NULL GROUP BY queue`.execute(
    db,
  );
  return rows;
}

export async function countSyncJobsByStatus(db: Database): Promise<Record<JobStatus, number>> {
  // Units of work: a full sync's parent is counted through its children.
  const rows = await db
    .selectFrom('sync_jobs')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('child_count', 'is', null)
    .groupBy('status')
    .execute();
  const totals: Record<JobStatus, number> = { QUEUED: 0, RUNNING: 0, COMPLETED: 0, FAILED: 0, CANCELLED: 0 };
  for (const r of rows) totals[r.status] = Number(r.n);
  return totals;
}

export interface ThroughputRow {
  minute: Date;
  completed: number;
  failed: number;
}

/** Jobs finished per minute over the last `minutes`, optionally for one queue (minutes with none are absent). */
export async function countFinishedPerMinute(
  db: Database,
  minutes: number,
  queue?: QueueName,
): Promise<ThroughputRow[]> {
  const { rows } = await sql<ThroughputRow>`
    SELECT date_trunc('minute', finished_at) AS minute,
      count(*) FILTER (WHERE status = 'COMPLETED')::int AS completed,
      count(*) FILTER (WHERE status = 'FAILED')::int AS failed
    FROM sync_jobs
    WHERE finished_at > date_trunc('minute', now()) - make_interval(mins => ${minutes - 1})
      ${queue ? sql`AND queue = ${queue}` : sql``}
    GROUP BY 1 ORDER BY 1`.execute(db);
  return rows;
}

/** The newest job of each sync type of one integration. */
export async function findLatestSyncJobPerType(db: Database, integrationId: string): Promise<SyncJob[]> {
  return db
    .selectFrom('sync_jobs')
    .selectAll()
    .distinctOn('sync_type')
    .where('integration_id', '=', integrationId)
    .orderBy('sync_type')
    .orderBy('created_at', 'desc')
    .execute();
}

/** The fixed texts of the per-job statements (claim, progress, finish), for EXPLAIN in tests and tools. */
export const STATE_SQL = { claim: CLAIM_SQL, progress: PROGRESS_SQL, finish: FINISH_SQL } as const;
