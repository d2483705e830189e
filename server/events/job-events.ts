/**
 * The one topic map for real-time job events. Workers and the API publish here; subscribers (GraphQL
 * subscriptions, external programs using PSUBSCRIBE) read the same channels. Topic names appear nowhere else.
 */
import type { ChainableCommander, Redis } from 'ioredis';
import type { Database } from '../../db/database.ts';
import { findSyncJobsByIds } from '../../db/queries/sync-job.ts';
import type { JobEventKind, SyncJob } from '../../db/types.ts';

export type { JobEventKind };

export interface JobEvent {
  kind: JobEventKind;
  /** The job as recorded right after the change. */
  job: SyncJob;
  at: string;
}

/** Channel names, all under the deployment's Redis prefix. */
export const jobTopics = {
  /** Every change of one job: `<prefix>:jobUpdated:<jobId>`. */
  jobUpdated: (prefix: string, jobId: string) => `${prefix}:jobUpdated:${jobId}`,
  /** Every change of every job. */
  jobEvents: (prefix: string) => `${prefix}:jobEvents`,
  /** Cancel requests for running jobs; every worker listens. */
  cancel: (prefix: string) => `${prefix}:cancel`,
} as const;

export interface JobEventPublisher {
  publish(events: { kind: JobEventKind; job: SyncJob }[]): Promise<void>;
  /**
   * Publishes like `publish`, with `alongside`'s commands (the metrics counters) queued after the events in the same
   * pipeline: one Redis round trip per transition instead of two. Errors of those extra commands never fail the
   * publish (a pipeline reports them per command).
   */
  publishWith?(
    events: { kind: JobEventKind; job: SyncJob }[],
    alongside: (pipeline: ChainableCommander) => void,
  ): Promise<void>;
  requestCancel(jobId: string): Promise<void>;
}

export function createJobEventPublisher(redis: Redis, prefix: string): JobEventPublisher {
  async function publishWith(
    events: { kind: JobEventKind; job: SyncJob }[],
    alongside?: (pipeline: ChainableCommander) => void,
  ): Promise<void> {
    if (events.length === 0) return;
    const pipeline = redis.pipeline();
    const at = new Date().toISOString();
    for (const { kind, job } of events) {
      // Encoded once for both channels (a string would be encoded to UTF-8 on each write).
      const message = Buffer.from(JSON.stringify({ kind, job, at } satisfies JobEvent));
      pipeline.publish(jobTopics.jobUpdated(prefix, job.id), message);
      pipeline.publish(jobTopics.jobEvents(prefix), message);
    }
    alongside?.(pipeline);
    await pipeline.exec();
  }
  return {
    publish: (events) => publishWith(events),
    publishWith,
    async requestCancel(jobId) {
      await redis.publish(jobTopics.cancel(prefix), jobId);
    },
  };
}

/** A parent's terminal state is its event; anything else is progress rolled up from a child. */
function parentEventKind(parent: SyncJob): JobEventKind {
  switch (parent.status) {
    case 'COMPLETED':
    case 'FAILED':
    case 'CANCELLED':
      return parent.status;
    default:
      return 'PROGRESS';
  }
}

/**
 * Adds the current snapshot of each parent touched by these events: the roll-up trigger changed the parent in the
 * same statement as its child, so the parent's subscribers must hear about it too.
 */
export async function withParentSnapshots(
  db: Database,
  events: { kind: JobEventKind; job: SyncJob }[],
): Promise<{ kind: JobEventKind; job: SyncJob }[]> {
  const parentIds = [...new Set(events.flatMap((e) => (e.job.parent_id ? [e.job.parent_id] : [])))];
  if (parentIds.length === 0) return events;
  const parents = await findSyncJobsByIds(db, parentIds);
  return [...events, ...parents.map((job) => ({ kind: parentEventKind(job), job }))];
}
