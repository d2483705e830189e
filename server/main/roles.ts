/** Each role as a start function returning its ordered stop; entrypoints compose them. */
import { Redis } from 'ioredis';
import type { Database } from '../../db/database.ts';
import type { SchemaContext } from '../../schema/context.ts';
import type { Config } from '../config.ts';
import { createJobEventPublisher } from '../events/job-events.ts';
import type { Logger } from '../logger.ts';
import { createJobMetricsRecorder, withJobMetrics } from '../metrics/job-metrics.ts';
import { createQueueTransport, openBeeQueues } from '../queue/transport.ts';
import { createReconciler } from '../worker/reconciler.ts';
import { createWorker } from '../worker/worker.ts';
import { closeRedisClient } from '../redis-client.ts';

export type Stop = () => Promise<void>;

export async function startApiRole(
  config: Config,
  db: Database,
  log: Logger,
): Promise<{ url: string; services: SchemaContext; stop: Stop }> {
  // Loaded on demand: a worker process never pays for yoga, Pothos and GraphiQL.
  const { buildApiApp } = await import('../http/app.ts');
  const app = buildApiApp({ config, db, log });
  const { url } = await app.start();
  log.info({ url, graphql: `${url}/graphql`, rest: `${url}/api/sync/jobs` }, 'api listening');
  return { url, services: app.services, stop: () => app.stop() };
}

/** The worker plus the reconciler (a Redis lock keeps the reconciler to one replica at a time). */
export async function startWorkerRole(config: Config, db: Database, log: Logger): Promise<{ stop: Stop }> {
  const worker = createWorker({ config, db, log });
  await worker.start();
  const redis = new Redis(config.redis.url, { maxRetriesPerRequest: 2 });
  redis.on('error', (err) => log.warn({ err: err.message }, 'redis error'));
  const transport = createQueueTransport(
    () => openBeeQueues({ redisUrl: config.redis.url, prefix: config.redis.prefix, log }),
    redis,
    config.redis.prefix,
  );
  const reconciler = createReconciler({
    db,
    redis,
    transport,
    // What it recovers (requeued, failed as lost) is counted for /metrics like every other event.
    events: withJobMetrics(createJobEventPublisher(redis, config.redis.prefix), {
      recorder: createJobMetricsRecorder(redis, config.redis.prefix),
      log,
    }),
    config,
    log,
  });
  reconciler.start();
  return {
    async stop() {
      await reconciler.stop();
      // Running jobs get WORKER_SHUTDOWN_GRACE_MS; the rest are handed back to their queue for another worker.
      await worker.stop(config.worker.shutdownGraceMs);
      await transport.close().catch(() => undefined);
      await closeRedisClient(redis);
    },
  };
}

/** The monitor (Flower's job): its page, the GraphQL API and /metrics under FLOWER_URL_PREFIX on FLOWER_PORT. */
export async function startMonitorRole(
  config: Config,
  db: Database,
  log: Logger,
): Promise<{ url: string; pageUrl: string; stop: Stop }> {
  const app = (await import('../monitor/app.ts')).buildMonitorApp({ config, db, log });
  const { url } = await app.start().catch(async (err: unknown) => {
    await app.stop().catch(() => undefined);
    throw err;
  });
  const pageUrl = `${url}${app.prefix}/`;
  log.info({ url, page: pageUrl, graphql: `${url}${app.prefix}/graphql` }, 'monitor listening');
  return { url, pageUrl, stop: () => app.stop() };
}
