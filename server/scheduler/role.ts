/**
 * The scheduler role: fires periodic schedules (cron + timezone) through the job service, once per slot across any
 * number of replicas. Like the API it only records and enqueues jobs; workers run them.
 */
import { Redis } from 'ioredis';
import type { Database } from '../../db/database.ts';
import type { Config } from '../config.ts';
import { createJobEventPublisher } from '../events/job-events.ts';
import { createJobMetricsRecorder, withJobMetrics } from '../metrics/job-metrics.ts';
import { createInternalJobCreator } from '../jobs/internal-jobs.ts';
import { createSyncJobService } from '../jobs/sync-job-service.ts';
import type { Logger } from '../logger.ts';
import { createQueueTransport, openBeeQueues } from '../queue/transport.ts';
import { createScheduler, type Scheduler, type SchedulerDeps } from './scheduler.ts';
import { closeRedisClient } from '../redis-client.ts';

/** What tests (and a future config) may tune; production uses the defaults of createScheduler. */
export type SchedulerRoleOptions = Pick<
  SchedulerDeps,
  'now' | 'instanceId' | 'pollIntervalMs' | 'misfireGraceMs' | 'leaseMs'
>;

export async function startSchedulerRole(
  config: Config,
  db: Database,
  log: Logger,
  options: SchedulerRoleOptions = {},
): Promise<{ scheduler: Scheduler; stop: () => Promise<void> }> {
  const redis = new Redis(config.redis.url, { maxRetriesPerRequest: 2, enableOfflineQueue: false });
  redis.on('error', (err) => log.warn({ err: err.message }, 'redis error'));
  const transport = createQueueTransport(
    () => openBeeQueues({ redisUrl: config.redis.url, prefix: config.redis.prefix, log }),
    redis,
    config.redis.prefix,
  );
  // Counted like every other publisher's events, so scheduled jobs show up in the Prometheus counters.
  const events = withJobMetrics(createJobEventPublisher(redis, config.redis.prefix), {
    recorder: createJobMetricsRecorder(redis, config.redis.prefix),
    log,
  });
  const jobs = createSyncJobService({ db, transport, events, config, log });
  const createInternal = createInternalJobCreator({ db, transport, events, config, log });
  const scheduler = createScheduler({ db, jobs, createInternal, config, log, ...options });

  async function closeRedis(): Promise<void> {
    await transport.close().catch(() => undefined);
    await closeRedisClient(redis);
  }

  // Redis may be down at boot: jobs are still recorded, and the reconciler enqueues them when Redis is back.
  await Promise.race([
    new Promise((resolve) => redis.once('ready', resolve)),
    new Promise((resolve) => setTimeout(resolve, 5000).unref()),
  ]);
  try {
    const first = await scheduler.start();
    log.info(
      { instanceId: scheduler.instanceId, fired: first.fired.length, skipped: first.skipped.length },
      'scheduler started',
    );
  } catch (err) {
    await scheduler.stop();
    await closeRedis();
    throw err;
  }
  return {
    scheduler,
    stop: async () => {
      await scheduler.stop();
      await closeRedis();
    },
  };
}
