/** Each role as a start function returning its ordered stop; entrypoints compose them. */
import { Redis } from 'ioredis';
import type { Database } from '../../db/database.ts';
import type { SchemaContext } from '../../schema/context.ts';
import type { Config } from '../config.ts';
import { createJobEventPublisher } from '../events/job-events.ts';
import { buildApiApp } from '../http/app.ts';
import type { Logger } from '../logger.ts';
import { createQueueTransport, openBeeQueues } from '../queue/transport.ts';
import { createReconciler } from '../worker/reconciler.ts';
import { createWorker } from '../worker/worker.ts';

export type Stop = () => Promise<void>;

export async function startApiRole(
  config: Config,
  db: Database,
  log: Logger,
): Promise<{ url: string; services: SchemaContext; stop: Stop }> {
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
    events: createJobEventPublisher(redis, config.redis.prefix),
    config,
    log,
  });
  reconciler.start();
  return {
    async stop() {
      await reconciler.stop();
      await worker.stop(config.worker.cancelGraceMs);
      await transport.close().catch(() => undefined);
      await redis.quit().catch(() => undefined);
    },
  };
}
