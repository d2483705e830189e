/**
 * The service layer every GraphQL/REST server process builds (the API, and the monitor which serves the same API
 * under its prefix): Redis connections, the queue transport, the job, integration, schedule, live and monitor
 * operations, readiness checks and the Prometheus endpoint.
 */
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { SchemaContext } from '../../schema/context.ts';
import type { Config } from '../config.ts';
import { createJobEventPublisher } from '../events/job-events.ts';
import { createLiveFeed } from '../events/live-feed.ts';
import { createIntegrationService } from '../integrations/integration-service.ts';
import { createSyncJobService } from '../jobs/sync-job-service.ts';
import type { Logger } from '../logger.ts';
import { createJobMetricsRecorder, withJobMetrics } from '../metrics/job-metrics.ts';
import { createMetricsEndpoint, type MetricsEndpoint } from '../metrics/registry.ts';
import { createMonitorService } from '../monitor/monitor-service.ts';
import { monitorKeys } from '../monitor/topics.ts';
import { createQueueTransport, openBeeQueues } from '../queue/transport.ts';
import { createScheduleService } from '../schedules/schedule-service.ts';
import type { SecretBox } from '../security/secret-box.ts';
import { createSecretBox, keyringFromConfig } from '../security/secrets.ts';
import { closeRedisClient } from '../redis-client.ts';

export interface ApiServices {
  services: SchemaContext;
  /** A regular Redis connection (no offline queue: commands fail fast while Redis is down). */
  redis: Redis;
  metrics: MetricsEndpoint;
  /** `ok` per dependency, or the error. */
  readiness(): Promise<Record<string, string>>;
  /** Resolves when Redis is ready, or after 5 s (the server starts anyway; jobs are recorded and enqueued later). */
  redisReady(): Promise<void>;
  /** Ends every open subscription; call before closing the sockets that carry them. */
  endSubscriptions(): void;
  /** Closes the transport and the Redis connections (after the subscriptions and sockets). */
  close(): Promise<void>;
}

export function createApiServices(options: {
  config: Config;
  db: Database;
  log: Logger;
  /** Seals integration credentials; built from the config's keyring when not given. */
  box?: SecretBox;
}): ApiServices {
  const { config, db, log } = options;
  const box = options.box ?? createSecretBox(keyringFromConfig(config, log));
  const prefix = config.redis.prefix;
  const redis = new Redis(config.redis.url, { maxRetriesPerRequest: 2, enableOfflineQueue: false });
  redis.on('error', (err) => log.warn({ err: err.message }, 'redis error'));
  const transport = createQueueTransport(
    () => openBeeQueues({ redisUrl: config.redis.url, prefix, log }),
    redis,
    prefix,
  );
  // Every event published here (created, cancelled, purged …) is also counted for /metrics.
  const events = withJobMetrics(createJobEventPublisher(redis, prefix), {
    recorder: createJobMetricsRecorder(redis, prefix),
    log,
  });
  const jobs = createSyncJobService({ db, transport, events, config, log });
  const subscriber = new Redis(config.redis.url, { maxRetriesPerRequest: null });
  subscriber.on('error', (err) => log.warn({ err: err.message }, 'redis subscriber error'));
  const monitor = createMonitorService({ db, redis, events, config, log });
  const live = createLiveFeed({
    db,
    prefix,
    subscriber,
    publisher: redis,
    // With the paused flags, so queueStatsUpdated also moves when a queue is paused or resumed (at its next refresh).
    stats: async () => {
      const [stats, paused] = await Promise.all([jobs.stats(), monitor.pausedQueues()]);
      return { ...stats, queues: stats.queues.map((q) => ({ ...q, paused: paused.includes(q.name) })) };
    },
    // A pause or resume is pushed at the next tick (≤ 1 s), not at the next periodic refresh.
    statsChannels: [monitorKeys.queueControlChannel(prefix)],
    log,
  });
  const services: SchemaContext = {
    jobs,
    integrations: createIntegrationService(db, box, {
      // Jobs that wait for the integration's breaker run at once instead of at their next recheck.
      onResumed: (integrationId) =>
        jobs.runDeferredNow(integrationId).catch((err: unknown) => {
          log.warn(
            { err, integrationId },
            'could not bring the waiting jobs of a resumed integration forward',
          );
        }),
    }),
    live,
    schedules: createScheduleService({ db, config }),
    monitor,
    principal: null,
  };
  const metrics = createMetricsEndpoint({
    redis,
    prefix,
    stats: () => jobs.stats(),
    workers: () => monitor.workers(),
    pausedQueues: () => monitor.pausedQueues(),
    log,
  });

  return {
    services,
    redis,
    metrics,
    async readiness() {
      const checks: Record<string, string> = {};
      await Promise.all([
        sql`SELECT 1`
          .execute(db)
          .then(() => (checks.postgres = 'ok'))
          .catch((err: unknown) => (checks.postgres = String(err))),
        redis
          .ping()
          .then(() => (checks.redis = 'ok'))
          .catch((err: unknown) => (checks.redis = String(err))),
      ]);
      return checks;
    },
    async redisReady() {
      if (redis.status === 'ready') return;
      await Promise.race([
        new Promise((resolve) => redis.once('ready', resolve)),
        new Promise((resolve) => setTimeout(resolve, 5000).unref()),
      ]);
    },
    endSubscriptions() {
      live.close();
      monitor.close();
    },
    async close() {
      await transport.close().catch(() => undefined);
      await closeRedisClient(subscriber);
      await closeRedisClient(redis);
    },
  };
}
