/**
 * A worker process: consumes the eight Bee-Queue queues with per-queue concurrency, obeys cancel messages from
 * any process, stamps heartbeats on the jobs it holds, and runs Bee-Queue's stall check so a crashed peer's jobs
 * run again.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import type { Database } from '../../db/database.ts';
import { stampSyncJobHeartbeats } from '../../db/queries/sync-job.ts';
import { QUEUE_NAMES } from '../../db/types.ts';
import type { Config } from '../config.ts';
import { createJobEventPublisher, jobTopics } from '../events/job-events.ts';
import type { AnyJobHandler } from '../handlers/handler.ts';
import { getHandler } from '../handlers/registry.ts';
import type { Logger } from '../logger.ts';
import { openBeeQueues } from '../queue/transport.ts';
import { JobCancelled, WorkerShuttingDown } from './abort-reasons.ts';
import { createJobRunner, type HeldJob } from './job-runner.ts';

export interface WorkerOptions {
  config: Config;
  db: Database;
  log: Logger;
  /** Overrides the handler registry (tests). */
  getHandler?: (type: string) => AnyJobHandler | undefined;
}

export interface Worker {
  readonly id: string;
  readonly held: ReadonlyMap<string, HeldJob>;
  start(): Promise<void>;
  /** Stops taking jobs, waits up to `graceMs` for running ones, then abandons the rest to the stall check. */
  stop(graceMs?: number): Promise<void>;
}

export function createWorker(options: WorkerOptions): Worker {
  const { config, db } = options;
  const id = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const log = options.log.child({ workerId: id });
  const held = new Map<string, HeldJob>();
  const redis = new Redis(config.redis.url, { maxRetriesPerRequest: null });
  const subscriber = new Redis(config.redis.url, { maxRetriesPerRequest: null });
  const events = createJobEventPublisher(redis, config.redis.prefix);
  const runDelivery = createJobRunner({
    db,
    config,
    events,
    log,
    workerId: id,
    getHandler: options.getHandler ?? getHandler,
    held,
  });
  let queues: ReturnType<typeof openBeeQueues> | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  const cancelChannel = jobTopics.cancel(config.redis.prefix);

  subscriber.on('message', (channel: string, jobId: string) => {
    if (channel !== cancelChannel) return;
    const job = held.get(jobId);
    if (job && !job.controller.signal.aborted) {
      log.info({ jobId }, 'cancel received');
      job.controller.abort(new JobCancelled());
    }
  });
  subscriber.on('error', (err) => log.warn({ err }, 'cancel subscriber error'));
  redis.on('error', (err) => log.warn({ err }, 'redis error'));

  return {
    id,
    held,
    async start() {
      // subscribe() waits for Redis: a worker started during an outage begins consuming when Redis is back.
      await subscriber.subscribe(cancelChannel);
      queues = openBeeQueues({
        redisUrl: config.redis.url,
        prefix: config.redis.prefix,
        log,
        worker: { stallIntervalMs: config.worker.stallIntervalMs },
      });
      for (const name of QUEUE_NAMES) {
        const queue = queues[name];
        const concurrency = config.worker.queueConcurrency[name];
        if (concurrency <= 0) continue;
        queue.process(concurrency, (job) => runDelivery(name, String(job.id)));
        // Bee-Queue checks once when processing starts; later checks are ours to schedule.
        void queue
          .checkStalledJobs(Math.max(50, Math.floor(config.worker.stallIntervalMs / 2)))
          .catch((err: unknown) => log.warn({ err, queue: name }, 'stall check failed'));
      }
      await Promise.all(Object.values(queues).map((q) => q.ready()));
      heartbeat = setInterval(() => {
        stampSyncJobHeartbeats(
          db,
          [...held.values()].map((h) => ({ id: h.id, attempt: h.attempt })),
        ).catch((err: unknown) => log.warn({ err }, 'heartbeat failed'));
      }, config.worker.heartbeatIntervalMs);
      log.info({ queues: config.worker.queueConcurrency }, 'worker started');
    },
    async stop(graceMs = 10_000) {
      if (heartbeat) clearInterval(heartbeat);
      if (queues) {
        const closing = Promise.all(Object.values(queues).map((q) => q.close(Math.max(1, graceMs))));
        await closing.catch((err: unknown) =>
          log.warn({ err }, 'queues did not close within the grace period'),
        );
      }
      for (const job of held.values()) job.controller.abort(new WorkerShuttingDown());
      subscriber.disconnect();
      await redis.quit().catch(() => undefined);
      log.info('worker stopped');
    },
  };
}
