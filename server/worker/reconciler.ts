/**
 * Postgres is the record, Redis the transport; the reconciler makes Redis agree with the record. It re-enqueues
 * QUEUED jobs that Redis does not hold (created while Redis was down, or Redis was flushed) and recovers RUNNING
 * jobs whose worker stopped heart-beating and that Redis no longer holds. `setId(job id)` makes re-enqueuing
 * idempotent, so replicas may race safely; a short Redis lock just avoids the duplicate work.
 */
import type { Redis } from 'ioredis';
import type { Database } from '../../db/database.ts';
import {
  listQueuedSyncJobs,
  listStaleRunningSyncJobs,
  recoverLostSyncJob,
} from '../../db/queries/sync-job.ts';
import type { Config } from '../config.ts';
import type { JobEventPublisher } from '../events/job-events.ts';
import type { Logger } from '../logger.ts';
import { enqueueSpecOf, type QueueTransport } from '../queue/transport.ts';

export interface ReconcilerDeps {
  db: Database;
  redis: Redis;
  transport: QueueTransport;
  events: JobEventPublisher;
  config: Pick<Config, 'reconciler' | 'redis' | 'jobs'>;
  log: Logger;
}

export interface ReconcileReport {
  requeued: number;
  recovered: number;
  skipped: boolean;
}

const BATCH = 1000;

export function createReconciler(deps: ReconcilerDeps) {
  const { db, redis, transport, events, config, log } = deps;
  const lockKey = `${config.redis.prefix}:reconciler:lock`;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;

  async function requeueMissing(): Promise<number> {
    let requeued = 0;
    let afterId: string | undefined;
    const olderThan = new Date(Date.now() - config.reconciler.graceMs);
    for (;;) {
      const jobs = await listQueuedSyncJobs(db, { olderThan, limit: BATCH, ...(afterId ? { afterId } : {}) });
      if (jobs.length === 0) break;
      afterId = jobs[jobs.length - 1]!.id;
      const held = await transport.holds(jobs);
      const missing = jobs.filter((_, i) => !held[i]);
      if (missing.length > 0) {
        await transport.enqueue(missing.map((j) => enqueueSpecOf(j, config.jobs.retryBackoffMs)));
        requeued += missing.length;
      }
      if (jobs.length < BATCH) break;
    }
    return requeued;
  }

  async function recoverStale(): Promise<number> {
    const stale = await listStaleRunningSyncJobs(
      db,
      new Date(Date.now() - config.reconciler.staleRunningMs),
      BATCH,
    );
    if (stale.length === 0) return 0;
    const held = await transport.holds(stale);
    let recovered = 0;
    for (const [i, job] of stale.entries()) {
      if (held[i]) continue; // Bee-Queue's stall check owns jobs it still holds.
      const row = await recoverLostSyncJob(db, job.id, job.attempts);
      if (!row) continue;
      recovered++;
      if (row.status === 'QUEUED') {
        await transport.enqueue([enqueueSpecOf(row, config.jobs.retryBackoffMs)]);
        await events.publish([{ kind: 'RETRYING', job: row }]);
      } else {
        await events.publish([{ kind: row.status === 'CANCELLED' ? 'CANCELLED' : 'FAILED', job: row }]);
      }
    }
    return recovered;
  }

  async function runOnce(): Promise<ReconcileReport> {
    const token = `${process.pid}:${Date.now()}`;
    const locked = await redis.set(lockKey, token, 'PX', Math.max(1000, config.reconciler.intervalMs), 'NX');
    if (locked !== 'OK') return { requeued: 0, recovered: 0, skipped: true };
    try {
      const requeued = await requeueMissing();
      const recovered = await recoverStale();
      if (requeued + recovered > 0) log.info({ requeued, recovered }, 'reconciled jobs with Redis');
      return { requeued, recovered, skipped: false };
    } finally {
      await redis.eval(
        "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0",
        1,
        lockKey,
        token,
      );
    }
  }

  return {
    runOnce,
    start() {
      timer = setInterval(() => {
        if (running) return;
        running = runOnce()
          .catch((err: unknown) => log.warn({ err }, 'reconcile failed'))
          .finally(() => (running = undefined));
      }, config.reconciler.intervalMs);
    },
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
