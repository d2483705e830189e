/**
 * The one service layer for sync jobs: GraphQL resolvers and the REST shim both call it, so every rule
 * (validation, routing, dedup, idempotency, cancel) is written once.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { sql } from 'kysely';
import type { Database } from '../../db/database.ts';
import { findIntegrationsByIds } from '../../db/queries/integration.ts';
import {
  cancelQueuedSyncJob,
  countSyncJobs,
  countSyncJobsByStatus,
  findSyncJobById,
  findSyncJobsByDedupKeys,
  findSyncJobsByIdempotencyKeys,
  insertSyncJobs,
  listSyncJobs,
  countFinishedPerMinute,
  findLatestSyncJobPerType,
  listSyncJobEvents,
  listChildrenByStatus,
  listUnfinishedChildren,
  promoteQueuedSyncJob,
  requestParentCancel,
  queueStatusCounts,
  requestSyncJobCancel,
  rescheduleQueuedSyncJob,
  type SyncJobFilter,
} from '../../db/queries/sync-job.ts';
import {
  FINISHED_STATUSES,
  JOB_STATUSES,
  PRIORITIES,
  QUEUE_NAMES,
  SYNC_TYPES,
  type NewSyncJob,
  type Origin,
  type Priority,
  type SyncJob,
  type SyncType,
} from '../../db/types.ts';
import type {
  CreatedJob,
  JobOperations,
  JobPage,
  QueueFigures,
  QueueStats,
  ThroughputPoint,
} from '../../schema/context.ts';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import { withParentSnapshots, type JobEventPublisher } from '../events/job-events.ts';
import { listFailedItemKeys } from '../../db/queries/item-ledger.ts';
import { syncOptionsSchema } from '../handlers/handler.ts';
import { listItemLedger } from '../hub/ledger-service.ts';
import type { Logger } from '../logger.ts';
import { routeJob } from '../queue/routing.ts';
import { enqueueSpecOf, type QueueTransport } from '../queue/transport.ts';
import { parseInput, problemsError, toFieldProblems, type FieldProblem } from '../validation.ts';

/** A retry of a job's failed items names at most this many (the job option's bound). */
const MAX_RETRIED_ITEMS = 10_000;

const uuid = z.guid({ message: 'must be a UUID' });

export const createSyncJobSchema = z
  .object({
    integrationId: uuid,
    syncType: z.enum(SYNC_TYPES, { message: `must be one of ${SYNC_TYPES.join(', ')}` }),
    priority: z.enum(PRIORITIES, { message: `must be one of ${PRIORITIES.join(', ')}` }).default('NORMAL'),
    options: syncOptionsSchema.default({ fullSync: false, batchSize: 100, dryRun: false }),
    idempotencyKey: z.string().min(1).max(200).nullish(),
    runAt: z.coerce.date({ message: 'must be an ISO-8601 date-time' }).nullish(),
    maxAttempts: z.number().int().min(1).max(20).nullish(),
  })
  .strict();
export type CreateSyncJobInput = z.input<typeof createSyncJobSchema>;
interface ChildSpec {
  integrationId: string;
  syncType: Exclude<SyncType, 'ALL'>;
}

/**
 * A validated create request. `retryOf` links a retry to the job it repeats; `children` overrides the children of a
 * full sync (by default one per part of FULL_SYNC_PARTS for the entry's integration).
 */
type ParsedCreate = Omit<z.output<typeof createSyncJobSchema>, 'integrationId'> & {
  /** Null only for a full sync across integrations (its children name theirs). */
  integrationId: string | null;
  retryOf?: string;
  children?: ChildSpec[];
};

/** What a full sync (`ALL`) runs: one child job each. */
export const FULL_SYNC_PARTS = ['PRODUCTS', 'INVENTORY', 'ORDERS'] as const;

const quickSyncSchema = z
  .object({
    integrationId: uuid,
    syncTypes: z
      .array(
        z.enum(['PRODUCTS', 'INVENTORY', 'ORDERS'], { message: 'must be PRODUCTS, INVENTORY or ORDERS' }),
      )
      .min(1)
      .max(3)
      .default(['PRODUCTS', 'INVENTORY', 'ORDERS']),
  })
  .strict();

const jobFilterSchema = z
  .object({
    parentId: uuid.nullish(),
    topLevel: z.boolean().nullish(),
    status: z.array(z.enum(JOB_STATUSES)).nullish(),
    syncType: z.array(z.enum([...SYNC_TYPES, 'CLEANUP'])).nullish(),
    integrationId: uuid.nullish(),
    priority: z.array(z.enum(PRIORITIES)).nullish(),
    queue: z.array(z.enum(QUEUE_NAMES)).nullish(),
    createdAfter: z.coerce.date().nullish(),
    createdBefore: z.coerce.date().nullish(),
  })
  .strict();
export type JobFilterInput = z.input<typeof jobFilterSchema>;

export interface SyncJobServiceDeps {
  db: Database;
  transport: QueueTransport;
  events: JobEventPublisher;
  config: Pick<Config, 'jobs'>;
  log: Logger;
}

const PRIORITY_RANK: Record<Priority, number> = { LOW: 0, NORMAL: 1, HIGH: 2, URGENT: 3 };

export function encodeJobCursor(job: Pick<SyncJob, 'created_at' | 'id'>): string {
  return Buffer.from(`${job.created_at.toISOString()}|${job.id}`).toString('base64url');
}

function decodeJobCursor(cursor: string): { createdAt: Date; id: string } {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const createdAt = new Date(iso ?? '');
  if (!id || Number.isNaN(createdAt.getTime()) || !uuid.safeParse(id).success) {
    throw new AppError('VALIDATION_FAILED', 'after: not a cursor returned by this API', {
      problems: [{ path: 'after', message: 'invalid cursor' }],
    });
  }
  return { createdAt, id };
}

export type SyncJobService = ReturnType<typeof createSyncJobService>;

export function createSyncJobService(deps: SyncJobServiceDeps) {
  const { db, transport, events, config, log } = deps;

  async function checkIntegrations(entries: { integrationId: string }[], pathOf: (i: number) => string) {
    const ids = [...new Set(entries.map((e) => e.integrationId))];
    const found = new Map((await findIntegrationsByIds(db, ids)).map((i) => [i.id, i]));
    const missing: FieldProblem[] = [];
    const disabled: FieldProblem[] = [];
    entries.forEach((e, i) => {
      const integration = found.get(e.integrationId);
      if (!integration)
        missing.push({ path: pathOf(i), message: `integration ${e.integrationId} does not exist` });
      else if (!integration.enabled)
        disabled.push({ path: pathOf(i), message: `integration ${e.integrationId} is disabled` });
    });
    if (missing.length > 0) {
      throw new AppError('INTEGRATION_NOT_FOUND', missing[0]!.message, { problems: missing });
    }
    if (disabled.length > 0) {
      throw new AppError('INTEGRATION_DISABLED', `${disabled[0]!.message}; enable it first`, {
        problems: disabled,
      });
    }
  }

  function toRow(entry: ParsedCreate, origin: Origin): NewSyncJob {
    const delayed = entry.runAt != null && entry.runAt.getTime() > Date.now();
    const isParent = entry.syncType === 'ALL';
    return {
      child_count: isParent ? (entry.children?.length ?? FULL_SYNC_PARTS.length) : null,
      id: randomUUID(),
      integration_id: entry.integrationId,
      sync_type: entry.syncType,
      priority: entry.priority,
      origin,
      queue: routeJob({ priority: entry.priority, syncType: entry.syncType, origin }),
      status: 'QUEUED',
      options: JSON.stringify(entry.options),
      idempotency_key: entry.idempotencyKey ?? null,
      dedup_key: delayed || entry.integrationId === null ? null : `${entry.integrationId}:${entry.syncType}`,
      max_attempts: entry.maxAttempts ?? config.jobs.maxAttempts,
      run_at: entry.runAt ?? null,
      retry_of: entry.retryOf ?? null,
    };
  }

  /** Hands jobs to Redis. If Redis is unreachable the jobs stay recorded and the reconciler enqueues them later. */
  async function enqueue(jobs: SyncJob[], jump: boolean): Promise<void> {
    if (jobs.length === 0) return;
    try {
      await transport.enqueue(jobs.map((j) => enqueueSpecOf(j, config.jobs.retryBackoffMs)));
      if (jump) for (const j of jobs) await transport.jumpToFront(j.queue, j.id);
    } catch (err) {
      log.warn(
        { err, jobs: jobs.length },
        'enqueue failed; jobs are recorded and will be enqueued by the reconciler',
      );
    }
  }

  async function publish(
    kind: 'CREATED' | 'CANCELLED' | 'CANCEL_REQUESTED' | 'RESCHEDULED',
    jobs: SyncJob[],
  ) {
    try {
      const batch = jobs.map((job) => ({ kind, job }));
      // Children created with their parent need no parent snapshot; a child cancelled on its own does.
      await events.publish(kind === 'CREATED' ? batch : await withParentSnapshots(db, batch));
    } catch (err) {
      log.warn({ err }, 'could not publish job events');
    }
  }

  /** A waiting duplicate asked for at a higher priority moves up instead of queuing a second job. */
  async function promoteIfHigher(existing: SyncJob, wanted: ParsedCreate, origin: Origin): Promise<SyncJob> {
    if (existing.status !== 'QUEUED' || PRIORITY_RANK[wanted.priority] <= PRIORITY_RANK[existing.priority]) {
      return existing;
    }
    const queue = routeJob({ priority: wanted.priority, syncType: wanted.syncType, origin });
    const promoted = await promoteQueuedSyncJob(db, existing.id, wanted.priority, queue);
    if (!promoted) return (await findSyncJobById(db, existing.id)) ?? existing;
    if (promoted.queue !== existing.queue) {
      await transport.remove(existing.queue, existing.id).catch(() => undefined);
      await enqueue([promoted], true);
    }
    return promoted;
  }

  function childRow(parent: SyncJob, child: ChildSpec): NewSyncJob {
    return {
      id: randomUUID(),
      parent_id: parent.id,
      integration_id: child.integrationId,
      sync_type: child.syncType,
      priority: parent.priority,
      origin: parent.origin,
      queue: routeJob({ priority: parent.priority, syncType: child.syncType, origin: parent.origin }),
      status: 'QUEUED',
      options: JSON.stringify(parent.options),
      idempotency_key: null,
      dedup_key: null,
      max_attempts: parent.max_attempts,
      run_at: parent.run_at,
    };
  }

  /**
   * One multi-row insert; a full sync's parents and their children go in one transaction (children only for the
   * parents that were actually inserted, not deduplicated).
   */
  async function insertWithChildren(
    pending: { entry: ParsedCreate; row: NewSyncJob }[],
  ): Promise<{ inserted: SyncJob[]; children: SyncJob[] }> {
    const rows = pending.map((p) => p.row);
    if (!rows.some((r) => r.child_count != null))
      return { inserted: await insertSyncJobs(db, rows), children: [] };
    const specs = new Map(pending.map((p) => [p.row.id, p.entry]));
    return db.transaction().execute(async (trx) => {
      const inserted = await insertSyncJobs(trx, rows);
      const childRows = inserted
        .filter((job) => job.child_count != null)
        .flatMap((parent) => {
          const entry = specs.get(parent.id);
          const integrationId = parent.integration_id;
          const children =
            entry?.children ??
            (integrationId === null ? [] : FULL_SYNC_PARTS.map((syncType) => ({ integrationId, syncType })));
          return children.map((child) => childRow(parent, child));
        });
      return { inserted, children: await insertSyncJobs(trx, childRows) };
    });
  }

  async function createMany(entries: ParsedCreate[], origin: Origin, jump: boolean): Promise<CreatedJob[]> {
    const results: (CreatedJob | undefined)[] = new Array(entries.length);
    let pending = entries.map((entry, index) => ({ entry, index, row: toRow(entry, origin) }));
    const fresh: SyncJob[] = [];
    const children: SyncJob[] = [];
    // A dedup conflict can vanish between the insert and the lookup (the waiting job just started); try again.
    for (let round = 0; pending.length > 0 && round < 5; round++) {
      const written = await insertWithChildren(pending);
      children.push(...written.children);
      const inserted = new Map(written.inserted.map((j) => [j.id, j]));
      const conflicted = pending.filter((p) => !inserted.has(p.row.id));
      for (const p of pending) {
        const job = inserted.get(p.row.id);
        if (job) {
          results[p.index] = { job, deduplicated: false };
          fresh.push(job);
        }
      }
      pending = [];
      if (conflicted.length === 0) break;
      const byKey = new Map(
        (
          await findSyncJobsByIdempotencyKeys(
            db,
            conflicted.flatMap((p) => (p.row.idempotency_key ? [p.row.idempotency_key] : [])),
          )
        ).map((j) => [j.idempotency_key, j]),
      );
      const byDedup = new Map(
        (
          await findSyncJobsByDedupKeys(
            db,
            conflicted.flatMap((p) => (p.row.dedup_key ? [p.row.dedup_key] : [])),
          )
        ).map((j) => [j.dedup_key, j]),
      );
      const retry: typeof pending = [];
      for (const p of conflicted) {
        const existing =
          (p.row.idempotency_key ? byKey.get(p.row.idempotency_key) : undefined) ??
          (p.row.dedup_key ? byDedup.get(p.row.dedup_key) : undefined);
        if (existing) {
          const job =
            existing.idempotency_key === p.row.idempotency_key && existing.idempotency_key
              ? existing
              : await promoteIfHigher(existing, p.entry, origin);
          results[p.index] = { job, deduplicated: true };
        } else {
          retry.push({ ...p, row: { ...p.row, id: randomUUID() } });
        }
      }
      pending = retry;
    }
    if (pending.length > 0) {
      throw new AppError('SERVICE_UNAVAILABLE', 'Could not record the job under contention; try again');
    }
    // Published before the enqueue so no worker's STARTED can overtake a job's CREATED. Parents are not queued:
    // their children are.
    await publish('CREATED', [...fresh, ...children]);
    await enqueue([...fresh.filter((j) => j.child_count == null), ...children], jump);
    return results as CreatedJob[];
  }

  /** One job: a waiting job is CANCELLED at once; a running one is told to stop. */
  async function cancelOne(jobId: string): Promise<SyncJob> {
    for (let round = 0; round < 3; round++) {
      const cancelled = await cancelQueuedSyncJob(db, jobId, 'Cancelled by request');
      if (cancelled) {
        await transport.remove(cancelled.queue, cancelled.id).catch((err: unknown) => {
          log.warn({ err, jobId }, 'could not remove cancelled job from Redis; workers will skip it');
        });
        await publish('CANCELLED', [cancelled]);
        return cancelled;
      }
      const requested = await requestSyncJobCancel(db, jobId);
      if (requested) {
        await events.requestCancel(jobId).catch((err: unknown) => {
          log.warn(
            { err, jobId },
            'could not broadcast cancel; the worker will see it at its next progress write',
          );
        });
        await publish('CANCEL_REQUESTED', [requested]);
        return requested;
      }
      const current = await findSyncJobById(db, jobId);
      if (!current) throw new AppError('JOB_NOT_FOUND', `Job ${jobId} does not exist`);
      if (FINISHED_STATUSES.includes(current.status)) {
        throw new AppError(
          'JOB_ALREADY_FINISHED',
          `Job ${jobId} is already ${current.status}; nothing to cancel`,
          {
            status: current.status,
          },
        );
      }
    }
    throw new AppError('SERVICE_UNAVAILABLE', 'The job changed state repeatedly while cancelling; try again');
  }

  /** Every unfinished child is cancelled; the parent ends CANCELLED (via the roll-up) with its last child. */
  async function cancelParent(parent: SyncJob): Promise<SyncJob> {
    const marked = await requestParentCancel(db, parent.id);
    if (!marked) {
      throw new AppError(
        'JOB_ALREADY_FINISHED',
        `Job ${parent.id} is already ${parent.status}; nothing to cancel`,
        {
          status: parent.status,
        },
      );
    }
    for (const child of await listUnfinishedChildren(db, parent.id)) {
      await cancelOne(child.id).catch((err: unknown) => {
        if (!(err instanceof AppError && err.code === 'JOB_ALREADY_FINISHED')) throw err;
      });
    }
    const current = (await findSyncJobById(db, parent.id)) ?? marked;
    await publish(FINISHED_STATUSES.includes(current.status) ? 'CANCELLED' : 'CANCEL_REQUESTED', [current]);
    return current;
  }

  async function mustFind(id: unknown): Promise<SyncJob> {
    const jobId = parseInput(uuid, id, ['id']);
    const job = await findSyncJobById(db, jobId);
    if (!job) throw new AppError('JOB_NOT_FOUND', `Job ${jobId} does not exist`);
    return job;
  }

  const service = {
    async create(input: unknown, origin: Origin = 'API'): Promise<CreatedJob> {
      const entry = parseInput(createSyncJobSchema, input);
      await checkIntegrations([entry], () => 'integrationId');
      const [created] = await createMany([entry], origin, false);
      return created!;
    },

    /** All-or-nothing validation, one multi-row insert, one pipelined Redis write per queue. */
    async bulkCreate(inputs: unknown[], origin: Origin = 'BULK'): Promise<CreatedJob[]> {
      if (!Array.isArray(inputs) || inputs.length === 0) {
        throw problemsError([{ path: 'jobs', message: 'must be a non-empty list' }]);
      }
      if (inputs.length > config.jobs.bulkLimit) {
        throw new AppError(
          'VALIDATION_FAILED',
          `jobs: at most ${config.jobs.bulkLimit} jobs per bulk call (got ${inputs.length})`,
          {
            problems: [{ path: 'jobs', message: `at most ${config.jobs.bulkLimit} jobs` }],
            limit: config.jobs.bulkLimit,
          },
        );
      }
      const entries: z.output<typeof createSyncJobSchema>[] = [];
      const problems: FieldProblem[] = [];
      inputs.forEach((input, i) => {
        const parsed = createSyncJobSchema.safeParse(input);
        if (parsed.success) entries.push(parsed.data);
        else problems.push(...toFieldProblems(parsed.error.issues, ['jobs', i]));
      });
      if (problems.length > 0) throw problemsError(problems);
      await checkIntegrations(entries, (i) => `jobs[${i}].integrationId`);
      return createMany(entries, origin, false);
    },

    /**
     * A full sync across many integrations (the nightly one): one parent with a child per (integration, type).
     * `syncType` ALL means every part of FULL_SYNC_PARTS. Replaying `idempotencyKey` returns the original parent.
     */
    async fullSyncAcross(
      input: {
        integrationIds: string[];
        syncType: SyncType;
        priority: Priority;
        options: Record<string, unknown>;
        idempotencyKey?: string;
      },
      origin: Origin,
    ): Promise<CreatedJob> {
      const parts = input.syncType === 'ALL' ? FULL_SYNC_PARTS : [input.syncType];
      const children = input.integrationIds.flatMap((integrationId) =>
        parts.map((syncType) => ({ integrationId, syncType })),
      );
      if (children.length === 0)
        throw problemsError([{ path: 'integrationIds', message: 'no integration to sync' }]);
      const [created] = await createMany(
        [
          {
            integrationId: null,
            syncType: 'ALL',
            priority: input.priority,
            options: parseInput(syncOptionsSchema, input.options, ['options']),
            idempotencyKey: input.idempotencyKey ?? null,
            runAt: null,
            maxAttempts: null,
            children,
          },
        ],
        origin,
        false,
      );
      return created!;
    },

    /** High priority, at the head of the high-priority queue. */
    async quickSync(input: unknown): Promise<CreatedJob[]> {
      const { integrationId, syncTypes } = parseInput(quickSyncSchema, input);
      await checkIntegrations([{ integrationId }], () => 'integrationId');
      const entries = [...new Set(syncTypes)].map((syncType) =>
        parseInput(createSyncJobSchema, { integrationId, syncType, priority: 'HIGH' }),
      );
      return createMany(entries, 'QUICK', true);
    },

    /**
     * A waiting job is CANCELLED at once. A running job is marked and every worker is told; the one holding it
     * aborts at the handler's next checkpoint and records CANCELLED. A finished job is a conflict. Cancelling a
     * full sync cancels every unfinished child; the parent ends CANCELLED with its last child.
     */
    async cancel(id: unknown): Promise<SyncJob> {
      const jobId = parseInput(uuid, id, ['id']);
      const target = await findSyncJobById(db, jobId);
      return target?.child_count != null ? cancelParent(target) : cancelOne(jobId);
    },

    itemLedger(filter: unknown, page: { first?: number | null; after?: string | null }) {
      return listItemLedger(db, filter, page);
    },

    /**
     * A new job repeating a FAILED or CANCELLED one (same integration, type, priority and options), or the failed
     * items of a COMPLETED one whose items partly failed (its ledger names them: the retry runs only those).
     */
    async retry(id: unknown, runAt?: Date | null): Promise<CreatedJob> {
      const original = await mustFind(id);
      let onlyItems: string[] | undefined;
      if (original.status === 'COMPLETED' && original.child_count == null) {
        onlyItems = await listFailedItemKeys(db, original.id, MAX_RETRIED_ITEMS);
      }
      if (original.status !== 'FAILED' && original.status !== 'CANCELLED' && !onlyItems?.length) {
        throw new AppError(
          'JOB_STATE_CONFLICT',
          `Job ${original.id} is ${original.status}; only FAILED or CANCELLED jobs, or completed jobs with failed items, can be retried`,
          { status: original.status },
        );
      }
      // A full sync reruns only its failed children (or, when none failed, the cancelled ones).
      let children: ChildSpec[] | undefined;
      if (original.child_count != null) {
        const failed = await listChildrenByStatus(db, original.id, ['FAILED']);
        const rerun = failed.length > 0 ? failed : await listChildrenByStatus(db, original.id, ['CANCELLED']);
        children = rerun.flatMap((c) =>
          c.integration_id
            ? [{ integrationId: c.integration_id, syncType: c.sync_type as ChildSpec['syncType'] }]
            : [],
        );
        if (children.length === 0) {
          throw new AppError(
            'JOB_STATE_CONFLICT',
            `Job ${original.id} has no failed or cancelled child to rerun`,
          );
        }
      }
      if (original.integration_id === null && !children) {
        throw new AppError(
          'JOB_STATE_CONFLICT',
          `Job ${original.id} is maintenance work; its schedule runs it again`,
        );
      }
      if (original.integration_id) {
        await checkIntegrations([{ integrationId: original.integration_id }], () => 'id');
      }
      const entry: ParsedCreate = {
        integrationId: original.integration_id,
        syncType: original.sync_type as SyncType,
        priority: original.priority,
        options: {
          ...parseInput(syncOptionsSchema, original.options),
          ...(onlyItems?.length ? { onlyItems } : {}),
        },
        idempotencyKey: null,
        runAt: runAt ?? null,
        maxAttempts: original.max_attempts,
        retryOf: original.id,
        ...(children ? { children } : {}),
      };
      const [created] = await createMany([entry], 'API', false);
      return created!;
    },

    /** A waiting job moves to `runAt`; a FAILED or CANCELLED one is retried at `runAt`. */
    async reschedule(id: unknown, runAtInput: unknown): Promise<CreatedJob> {
      const runAt = parseInput(z.coerce.date({ message: 'must be an ISO-8601 date-time' }), runAtInput, [
        'runAt',
      ]);
      const job = await mustFind(id);
      if (job.status === 'FAILED' || job.status === 'CANCELLED') return service.retry(job.id, runAt);
      const moved = job.status === 'QUEUED' ? await rescheduleQueuedSyncJob(db, job.id, runAt) : undefined;
      if (!moved) {
        const now = (await findSyncJobById(db, job.id))?.status ?? job.status;
        throw new AppError(
          'JOB_STATE_CONFLICT',
          `Job ${job.id} is ${now}; only waiting or finished-unsuccessfully jobs can be rescheduled`,
          {
            status: now,
          },
        );
      }
      // Out of its queue and back in with the new time; a copy a worker already took is skipped (run_at guard).
      await transport.remove(moved.queue, moved.id).catch(() => undefined);
      await enqueue([moved], false);
      await publish('RESCHEDULED', [moved]);
      return { job: moved, deduplicated: false };
    },

    /**
     * Jobs of an integration that wait because its breaker was open (deferred with AUTH_FAILED or
     * INTEGRATION_PAUSED until a recheck time) are moved to now: called after a resume or a reconnect.
     */
    async runDeferredNow(integrationId: string): Promise<number> {
      const waiting = await db
        .selectFrom('sync_jobs')
        .select('id')
        .where('integration_id', '=', integrationId)
        .where('status', '=', 'QUEUED')
        .where('run_at', '>', sql<Date>`now()`)
        .where(sql<string>`error->>'code'`, 'in', ['AUTH_FAILED', 'INTEGRATION_PAUSED'])
        .execute();
      let moved = 0;
      for (const { id } of waiting) {
        // A job that started, ended or was rescheduled meanwhile keeps what happened to it.
        const ok = await service.reschedule(id, new Date()).then(
          () => true,
          () => false,
        );
        if (ok) moved += 1;
      }
      return moved;
    },

    async events(id: unknown) {
      const job = await mustFind(id);
      return listSyncJobEvents(db, job.id);
    },

    /** Completed and failed jobs per minute over the last `minutes` (1–1440), every minute present. */
    async throughput(input: unknown): Promise<ThroughputPoint[]> {
      const { minutes, queue } = parseInput(
        z
          .object({
            minutes: z.number().int().min(1).max(1440).default(60),
            queue: z.enum(QUEUE_NAMES).nullish(),
          })
          .strict(),
        input ?? {},
      );
      const rows = await countFinishedPerMinute(db, minutes, queue ?? undefined);
      const byMinute = new Map(rows.map((r) => [new Date(r.minute).getTime(), r]));
      const start = Math.floor(Date.now() / 60_000) * 60_000 - (minutes - 1) * 60_000;
      return Array.from({ length: minutes }, (_, i) => {
        const minute = start + i * 60_000;
        const row = byMinute.get(minute);
        return { minute: new Date(minute), completed: row?.completed ?? 0, failed: row?.failed ?? 0 };
      });
    },

    /** The newest job of each sync type of an integration: its last sync and outcome per type. */
    async latestByType(integrationId: string): Promise<SyncJob[]> {
      return findLatestSyncJobPerType(db, integrationId);
    },

    async get(id: unknown): Promise<SyncJob | undefined> {
      const jobId = parseInput(uuid, id, ['id']);
      return findSyncJobById(db, jobId);
    },

    async list(
      filterInput: unknown,
      page: { first?: number | null; after?: string | null; offset?: number | null },
    ): Promise<JobPage> {
      const f = parseInput(jobFilterSchema, filterInput ?? {}, ['filter']);
      const first = page.first ?? 20;
      if (!Number.isInteger(first) || first < 1 || first > 500) {
        throw problemsError([{ path: 'first', message: 'must be between 1 and 500' }]);
      }
      const filter: SyncJobFilter = {
        ...(f.parentId ? { parentId: f.parentId } : {}),
        ...(f.topLevel ? { topLevel: true } : {}),
        ...(f.status ? { status: f.status } : {}),
        ...(f.syncType ? { syncType: f.syncType } : {}),
        ...(f.integrationId ? { integrationId: f.integrationId } : {}),
        ...(f.priority ? { priority: f.priority } : {}),
        ...(f.queue ? { queue: f.queue } : {}),
        ...(f.createdAfter ? { createdAfter: f.createdAfter } : {}),
        ...(f.createdBefore ? { createdBefore: f.createdBefore } : {}),
      };
      const after = page.after ? decodeJobCursor(page.after) : undefined;
      const [rows, totalCount] = await Promise.all([
        listSyncJobs(db, filter, { limit: first + 1, ...(after ? { after } : {}), offset: page.offset ?? 0 }),
        countSyncJobs(db, filter),
      ]);
      const jobs = rows.slice(0, first);
      const last = jobs[jobs.length - 1];
      return {
        jobs,
        cursors: jobs.map(encodeJobCursor),
        totalCount,
        hasNextPage: rows.length > first,
        endCursor: last ? encodeJobCursor(last) : null,
      };
    },

    async stats(): Promise<QueueStats> {
      const [rows, totals] = await Promise.all([queueStatusCounts(db), countSyncJobsByStatus(db)]);
      const now = Date.now();
      const queues = QUEUE_NAMES.map((name): QueueFigures => {
        const mine = rows.filter((r) => r.queue === name);
        const oldest = mine.find((r) => r.oldest_waiting_at)?.oldest_waiting_at ?? null;
        const sum = (k: 'waiting' | 'delayed' | 'active' | 'completed_last_hour' | 'failed_last_hour') =>
          mine.reduce((acc, r) => acc + Number(r[k]), 0);
        return {
          name,
          waiting: sum('waiting'),
          active: sum('active'),
          delayed: sum('delayed'),
          completedLastHour: sum('completed_last_hour'),
          failedLastHour: sum('failed_last_hour'),
          oldestWaitingSeconds: oldest
            ? Math.max(0, Math.round((now - new Date(oldest).getTime()) / 1000))
            : null,
        };
      });
      return { queues, totals, generatedAt: new Date(now) };
    },
  };
  return service satisfies JobOperations;
}

export type { SyncType };
