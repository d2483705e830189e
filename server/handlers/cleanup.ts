/**
 * Retention (the seed's cleanup_old_sync_jobs_task): deletes finished jobs older than `olderThanMs`, a batch at a
 * time so no statement holds many row locks for long, stopping between batches when the job is cancelled; then
 * the schedule runs (slot history) and audit log entries older than the same cutoff.
 * The scheduler fills `olderThanMs` from config.retention.finishedJobsMs (JOB_RETENTION_DAYS /
 * CELERY_RESULT_EXPIRES); the handler has no config of its own.
 */
import { z } from 'zod';
import {
  countExpiredSyncJobs,
  deleteExpiredSyncJobs,
  retentionCutoff,
} from '../../db/queries/sync-job-retention.ts';
import { deleteOldAuditEntries } from '../../db/queries/audit-log.ts';
import { deleteOldScheduleRuns } from '../../db/queries/schedule.ts';
import type { JobResultSummary, SystemJobHandler } from './handler.ts';

export const DEFAULT_RETENTION_MS = 30 * 86_400_000;
export const DEFAULT_CLEANUP_BATCH_SIZE = 5000;

export const cleanupOptionsSchema = z
  .object({
    /** Finished jobs whose finished_at is older than this are deleted. */
    olderThanMs: z.number().int().min(1).default(DEFAULT_RETENTION_MS),
    /** Jobs deleted per statement. */
    batchSize: z.number().int().min(1).max(50_000).default(DEFAULT_CLEANUP_BATCH_SIZE),
  })
  .strict();
export type CleanupOptions = z.infer<typeof cleanupOptionsSchema>;

function describeAge(ms: number): string {
  const days = ms / 86_400_000;
  return days >= 1 && Number.isInteger(days) ? `${days} day(s)` : `${Math.round(ms / 1000)} s`;
}

export const cleanupHandler: SystemJobHandler<CleanupOptions> = {
  type: 'CLEANUP',
  scope: 'system',
  options: cleanupOptionsSchema,
  async run(ctx): Promise<JobResultSummary> {
    const { olderThanMs, batchSize } = ctx.options;
    // One cutoff for the whole run, so jobs finishing meanwhile are not chased batch after batch.
    const cutoff = await retentionCutoff(ctx.db, olderThanMs);
    const total = await countExpiredSyncJobs(ctx.db, cutoff);
    const age = describeAge(olderThanMs);
    ctx.progress({
      processed: 0,
      total,
      failed: 0,
      message: `Removing ${total} finished jobs older than ${age}`,
    });
    let removed = 0;
    let batches = 0;
    for (;;) {
      ctx.signal.throwIfAborted();
      const deleted = await deleteExpiredSyncJobs(ctx.db, cutoff, batchSize);
      batches += 1;
      removed += deleted;
      ctx.progress({
        processed: removed,
        total: Math.max(total, removed),
        failed: 0,
        message: `Removed ${removed} of ${total} finished jobs older than ${age}`,
      });
      if (deleted < batchSize) break;
    }
    // Schedule history ages out with the jobs it points to.
    let runsRemoved = 0;
    for (;;) {
      ctx.signal.throwIfAborted();
      const deleted = await deleteOldScheduleRuns(ctx.db, cutoff, batchSize);
      runsRemoved += deleted;
      if (deleted < batchSize) break;
    }
    // The audit log is kept as long as the jobs it talks about.
    let auditRemoved = 0;
    for (;;) {
      ctx.signal.throwIfAborted();
      const deleted = await deleteOldAuditEntries(ctx.db, cutoff, batchSize);
      auditRemoved += deleted;
      if (deleted < batchSize) break;
    }
    ctx.log.info({ removed, batches, runsRemoved, auditRemoved, cutoff }, 'cleanup finished');
    return {
      processed: removed,
      total: Math.max(total, removed),
      failed: 0,
      message: `Removed ${removed} finished jobs older than ${age}`,
      details: {
        removed,
        batches,
        batchSize,
        olderThanMs,
        cutoff: cutoff.toISOString(),
        scheduleRunsRemoved: runsRemoved,
        auditEntriesRemoved: auditRemoved,
      },
    };
  },
};
