/**
 * Jobs the system creates for itself (CLEANUP), which users cannot ask for: the REST shim and GraphQL validate
 * sync types against PRODUCTS/INVENTORY/ORDERS/ALL. Same path as the sync job service's create: record first
 * (one insert that yields to an idempotency or dedup conflict), publish CREATED, then hand the job to Redis.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '../../db/database.ts';
import {
  findSyncJobsByDedupKeys,
  findSyncJobsByIdempotencyKeys,
  insertSyncJobs,
} from '../../db/queries/sync-job.ts';
import type { NewSyncJob, Origin, Priority, SyncJob } from '../../db/types.ts';
import type { CreatedJob } from '../../schema/context.ts';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import type { JobEventPublisher } from '../events/job-events.ts';
import { getHandler } from '../handlers/registry.ts';
import type { Logger } from '../logger.ts';
import { routeJob } from '../queue/routing.ts';
import { enqueueSpecOf, type QueueTransport } from '../queue/transport.ts';
import { parseInput } from '../validation.ts';

export interface InternalJobInput {
  integrationId: string | null;
  syncType: 'CLEANUP';
  options: Record<string, unknown>;
  priority?: Priority;
  /** Replaying the key returns the original job (the scheduler derives it from the slot). */
  idempotencyKey?: string;
}

export interface InternalJobDeps {
  db: Database;
  transport: QueueTransport;
  events: JobEventPublisher;
  config: Pick<Config, 'jobs'>;
  log: Logger;
}

export type CreateInternalJob = (input: InternalJobInput, origin: Origin) => Promise<CreatedJob>;

export function createInternalJobCreator(deps: InternalJobDeps): CreateInternalJob {
  const { db, transport, events, config, log } = deps;

  function toRow(input: InternalJobInput, options: unknown, origin: Origin): NewSyncJob {
    const priority = input.priority ?? 'NORMAL';
    return {
      id: randomUUID(),
      integration_id: input.integrationId,
      sync_type: input.syncType,
      priority,
      origin,
      queue: routeJob({ priority, syncType: input.syncType, origin }),
      status: 'QUEUED',
      options: JSON.stringify(options),
      idempotency_key: input.idempotencyKey ?? null,
      // One waiting maintenance job of a kind at a time, as for syncs of one (integration, type).
      dedup_key: `${input.integrationId ?? 'system'}:${input.syncType}`,
      max_attempts: config.jobs.maxAttempts,
      run_at: null,
    };
  }

  return async function createInternal(input, origin) {
    const handler = getHandler(input.syncType);
    if (!handler) throw new AppError('VALIDATION_FAILED', `No handler runs ${input.syncType} jobs`);
    // Checked here and again by the worker, like every job's options.
    const options = parseInput(handler.options, input.options, ['options']);
    // A dedup conflict can vanish between the insert and the lookup (the waiting job just started); try again.
    for (let round = 0; round < 5; round++) {
      const row = toRow(input, options, origin);
      const [inserted] = await insertSyncJobs(db, [row]);
      if (inserted) {
        await publish(inserted);
        await enqueue(inserted);
        return { job: inserted, deduplicated: false };
      }
      const existing =
        (row.idempotency_key
          ? (await findSyncJobsByIdempotencyKeys(db, [row.idempotency_key]))[0]
          : undefined) ??
        (row.dedup_key ? (await findSyncJobsByDedupKeys(db, [row.dedup_key]))[0] : undefined);
      if (existing) return { job: existing, deduplicated: true };
    }
    throw new AppError('SERVICE_UNAVAILABLE', 'Could not record the job under contention; try again');
  };

  async function publish(job: SyncJob): Promise<void> {
    try {
      await events.publish([{ kind: 'CREATED', job }]);
    } catch (err) {
      log.warn({ err }, 'could not publish job events');
    }
  }

  /** If Redis is unreachable the job stays recorded and the reconciler enqueues it later. */
  async function enqueue(job: SyncJob): Promise<void> {
    try {
      await transport.enqueue([enqueueSpecOf(job, config.jobs.retryBackoffMs)]);
    } catch (err) {
      log.warn(
        { err, jobId: job.id },
        'enqueue failed; the job is recorded and the reconciler will enqueue it',
      );
    }
  }
}
