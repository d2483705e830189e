/**
 * Runs one delivery of a job: claims it in Postgres, runs its handler under an AbortSignal with soft and hard time
 * limits, coalesces progress, and records exactly one outcome through the guarded transitions of the state machine.
 */
import type { Database } from '../../db/database.ts';
import type { JobCounts } from '../../db/queries/sync-job.ts';
import type { Integration, JobError, QueueName, SyncJob } from '../../db/types.ts';
import type { Config } from '../config.ts';
import { deferSyncJob } from '../../db/queries/integration-breaker.ts';
import { openConnector, type ConnectorDeps } from '../connectors/index.ts';
import { JobDeferred, PermanentError, coerceError } from '../errors.ts';
import { withParentSnapshots, type JobEventKind, type JobEventPublisher } from '../events/job-events.ts';
import type {
  AnyJobHandler,
  JobResultSummary,
  ProgressUpdate,
  SystemHandlerContext,
} from '../handlers/handler.ts';
import type { Logger } from '../logger.ts';
import {
  HardTimeLimitExceeded,
  JobCancelled,
  JobLost,
  SoftTimeLimitExceeded,
  WorkerShuttingDown,
} from './abort-reasons.ts';
import { createCoalescer } from './coalescer.ts';
import {
  createStateWrites,
  requeueSyncJobForRetry,
  settleUnstartableSyncJob,
  type StateWrites,
} from './durable-writes.ts';
import { createProgressReporter } from './progress-reporter.ts';

export interface HeldJob {
  id: string;
  attempt: number;
  controller: AbortController;
}

export interface JobRunnerDeps {
  db: Database;
  config: Pick<Config, 'worker' | 'jobs'>;
  events: JobEventPublisher;
  log: Logger;
  workerId: string;
  getHandler(type: string): AnyJobHandler | undefined;
  /** Jobs this process holds, by id; cancel messages and heartbeats use it. */
  held: Map<string, HeldJob>;
  /** Wraps each job's logger (the worker keeps the job's lines for `SyncJob.logs`: server/monitor/job-log-sink.ts). */
  jobLogger?: (jobLog: Logger, job: SyncJob) => Logger;
  /** What real-platform connectors need (Redis, the secret box); without it only sandbox integrations run. */
  connectors?: ConnectorDeps;
  /** A job went back to waiting until its run_at without spending an attempt (its integration is paused). */
  onDeferred?: (job: SyncJob) => void;
  /** The claim, progress and outcome writes; by default coalesced across this runner's jobs. */
  writes?: StateWrites;
}

/** Thrown back to Bee-Queue so it schedules the next attempt with backoff. */
export class RetryLater extends Error {
  constructor(cause: Error) {
    super(cause.message);
    this.name = 'RetryLater';
  }
}

const HARD_LIMIT = Symbol('hard-limit');
const CANCEL_GRACE = Symbol('cancel-grace');

function errorOf(err: Error, attempt: number, retryable: boolean): JobError {
  const code: unknown = (err as unknown as { code?: unknown }).code;
  return {
    code: typeof code === 'string' ? code : 'HANDLER_ERROR',
    message: err.message.slice(0, 2000),
    attempt,
    retryable,
  };
}

function countsOf(p: ProgressUpdate): JobCounts {
  return {
    processed: p.processed,
    total: p.total,
    failed: p.failed,
    ...(p.message ? { message: p.message } : {}),
  };
}

export function createJobRunner(deps: JobRunnerDeps) {
  const { db, config, events, log, workerId, held } = deps;

  const writes = deps.writes ?? createStateWrites(db, workerId);
  // Events of all the jobs go out together too: one pipeline per batch, in the order they were emitted.
  const published = createCoalescer<{ kind: JobEventKind; job: SyncJob }, void>({
    maxBatch: 1000,
    async run(batch) {
      try {
        await events.publish(await withParentSnapshots(db, batch));
      } catch (err) {
        log.warn({ err, jobIds: batch.map((e) => e.job.id) }, 'could not publish job events');
      }
      return [];
    },
  });

  /** Publishes a transition; awaiting it is optional (a job's events go out in order either way). */
  function emit(kind: JobEventKind, job: SyncJob | undefined): Promise<void> {
    return job ? published.push({ kind, job }) : Promise.resolve();
  }

  async function fail(job: SyncJob, counts: JobCounts, error: JobError): Promise<void> {
    await emit('FAILED', await writes.finish(job.id, job.attempts, { status: 'FAILED', counts, error }));
  }

  /** Runs one Bee-Queue delivery of job `id` taken from `queue`. Throws RetryLater to ask for another attempt. */
  return async function runDelivery(queue: QueueName, id: string): Promise<void> {
    const started = await writes.claim(id, queue);
    if (!started) {
      const settled = await settleUnstartableSyncJob(db, id, queue);
      if (settled) await emit(settled.status === 'CANCELLED' ? 'CANCELLED' : 'FAILED', settled);
      return;
    }
    const { job } = started;
    // Not awaited: the handler need not wait for the publish, and the outcome's event follows this one.
    void emit('STARTED', job);
    const attempt = job.attempts;
    const baseJobLog = log.child({
      jobId: job.id,
      attempt,
      integrationId: job.integration_id,
      syncType: job.sync_type,
    });
    const jobLog = deps.jobLogger ? deps.jobLogger(baseJobLog, job) : baseJobLog;
    const zero: JobCounts = { processed: 0, total: null, failed: 0 };

    const handler = deps.getHandler(job.sync_type);
    if (!handler) {
      await fail(job, zero, {
        code: 'UNKNOWN_SYNC_TYPE',
        message: `No handler for ${job.sync_type}`,
        attempt,
      });
      return;
    }
    const options = handler.options.safeParse(job.options);
    if (!options.success) {
      await fail(job, zero, {
        code: 'INVALID_OPTIONS',
        message: options.error.message.slice(0, 2000),
        attempt,
      });
      return;
    }
    let integration: Integration | undefined;
    if (handler.scope !== 'system') {
      integration = started.integration ?? undefined;
      if (!integration || !integration.enabled) {
        const message = integration ? 'The integration is disabled' : 'The integration no longer exists';
        await fail(job, zero, { code: 'INTEGRATION_UNAVAILABLE', message, attempt });
        return;
      }
    }

    const controller = new AbortController();
    held.set(job.id, { id: job.id, attempt, controller });
    const reporter = createProgressReporter({
      intervalMs: config.worker.progressIntervalMs,
      onError: (err) => jobLog.warn({ err }, 'progress write failed'),
      write: async (update) => {
        const row = await writes.progress(job.id, attempt, countsOf(update));
        if (!row) {
          controller.abort(new JobLost());
          return;
        }
        if (row.cancel_requested_at && !controller.signal.aborted) controller.abort(new JobCancelled());
        await emit('PROGRESS', row);
      },
    });

    const timers: NodeJS.Timeout[] = [];
    const limits = new Promise<typeof HARD_LIMIT | typeof CANCEL_GRACE>((resolve) => {
      timers.push(
        setTimeout(
          () => controller.abort(new SoftTimeLimitExceeded(config.worker.softTimeLimitMs)),
          config.worker.softTimeLimitMs,
        ),
        setTimeout(() => resolve(HARD_LIMIT), config.worker.hardTimeLimitMs),
      );
      // A cancelled handler that does not reach a checkpoint in time is abandoned, freeing the slot.
      controller.signal.addEventListener('abort', () => {
        if (controller.signal.reason instanceof JobCancelled) {
          timers.push(setTimeout(() => resolve(CANCEL_GRACE), config.worker.cancelGraceMs));
        }
      });
    });

    let outcome: JobResultSummary | typeof HARD_LIMIT | typeof CANCEL_GRACE | undefined;
    let thrown: Error | undefined;
    try {
      const base: SystemHandlerContext<unknown> = {
        job,
        options: options.data,
        db,
        signal: controller.signal,
        progress: (update) => reporter.report(update),
        log: jobLog,
      };
      const dryRun = (options.data as { dryRun?: unknown } | null)?.dryRun === true;
      const work =
        handler.scope === 'system'
          ? handler.run(base)
          : openConnector(db, deps.connectors, integration!, { dryRun, log: jobLog }).then((connector) =>
              handler.run({ ...base, integration: integration!, connector, watermarks: started.watermarks }),
            );
      outcome = await Promise.race([work, limits]);
      if (outcome === HARD_LIMIT || outcome === CANCEL_GRACE) {
        // The abandoned handler may still settle later; nothing it does can change the record any more.
        work.catch(() => undefined);
      }
    } catch (err) {
      thrown = coerceError(err);
    } finally {
      for (const t of timers) clearTimeout(t);
      await reporter.stop();
      held.delete(job.id);
    }

    const counts = countsOf(reporter.current);
    if (outcome === HARD_LIMIT) {
      controller.abort(new HardTimeLimitExceeded(config.worker.hardTimeLimitMs));
      const limit = new HardTimeLimitExceeded(config.worker.hardTimeLimitMs);
      jobLog.warn('hard time limit reached; job failed and slot freed');
      await fail(job, counts, errorOf(limit, attempt, false));
      return;
    }
    if (outcome === CANCEL_GRACE) {
      jobLog.warn('cancelled handler did not stop in time; slot freed');
      await emit(
        'CANCELLED',
        await writes.finish(job.id, attempt, {
          status: 'CANCELLED',
          counts,
          error: cancelError(attempt),
        }),
      );
      return;
    }
    if (outcome && !thrown) {
      const summary = outcome;
      const finalCounts: JobCounts = {
        processed: summary.processed,
        total: summary.total,
        failed: summary.failed,
        ...(summary.message ? { message: summary.message } : {}),
      };
      const done = await writes.finish(job.id, attempt, {
        status: 'COMPLETED',
        counts: finalCounts,
        result: summary,
      });
      if (!done) jobLog.warn('completion ignored: this attempt no longer holds the job');
      await emit(done?.status === 'CANCELLED' ? 'CANCELLED' : 'COMPLETED', done);
      return;
    }

    const err = thrown ?? new Error('Handler returned nothing');
    const reason: unknown = controller.signal.aborted ? controller.signal.reason : undefined;
    if (reason instanceof JobLost || reason instanceof WorkerShuttingDown) {
      jobLog.warn({ reason: reason.message }, 'attempt abandoned');
      return;
    }
    if (reason instanceof JobCancelled) {
      await emit(
        'CANCELLED',
        await writes.finish(job.id, attempt, {
          status: 'CANCELLED',
          counts,
          error: cancelError(attempt),
        }),
      );
      return;
    }
    if (reason instanceof SoftTimeLimitExceeded) {
      await fail(job, counts, errorOf(reason, attempt, false));
      return;
    }
    if (err instanceof JobDeferred) {
      const row = await deferSyncJob(db, job.id, attempt, {
        runAt: err.retryAt,
        error: errorOf(err, attempt, true),
      });
      if (row?.status === 'QUEUED') {
        jobLog.info({ code: err.code, runAt: err.retryAt }, `job waits: ${err.message}`);
        await emit('RESCHEDULED', row);
        deps.onDeferred?.(row);
        return;
      }
      await emit('CANCELLED', row);
      return;
    }
    const permanent = err instanceof PermanentError;
    if (!permanent && attempt < job.max_attempts) {
      const delay = config.jobs.retryBackoffMs * 2 ** (attempt - 1);
      const row = await requeueSyncJobForRetry(db, job.id, attempt, {
        runAt: new Date(Date.now() + delay),
        error: errorOf(err, attempt, true),
        counts,
      });
      if (row?.status === 'QUEUED') {
        jobLog.info({ err, delayMs: delay }, 'attempt failed; retrying');
        await emit('RETRYING', row);
        throw new RetryLater(err);
      }
      await emit('CANCELLED', row);
      return;
    }
    jobLog.warn({ err }, 'job failed');
    await fail(job, counts, errorOf(err, attempt, !permanent));
  };
}

function cancelError(attempt: number): JobError {
  return { code: 'CANCELLED', message: 'Cancelled by request', attempt };
}
