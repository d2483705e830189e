/**
 * Scheduler tests on real Postgres and Redis with a fake clock: a fresh database and key prefix, the job and
 * schedule services built as the scheduler role builds them, and any number of scheduler replicas sharing the clock.
 */
import { Redis } from 'ioredis';
import type { Database } from '../../db/database.ts';
import { insertIntegration } from '../../db/queries/integration.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import { createJobEventPublisher } from '../../server/events/job-events.ts';
import { createInternalJobCreator, type CreateInternalJob } from '../../server/jobs/internal-jobs.ts';
import { createSyncJobService, type SyncJobService } from '../../server/jobs/sync-job-service.ts';
import { createLogger, type Logger } from '../../server/logger.ts';
import { createQueueTransport, openBeeQueues, type QueueTransport } from '../../server/queue/transport.ts';
import { createScheduler, type Scheduler, type SchedulerDeps } from '../../server/scheduler/scheduler.ts';
import { createScheduleService, type ScheduleService } from '../../server/schedules/schedule-service.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { createTestRedisPrefix } from './redis.ts';
import { testEnv } from './stack.ts';

export interface FakeClock {
  now: () => Date;
  set(iso: string | Date): void;
  advance(ms: number): void;
}

export function fakeClock(start: string | Date): FakeClock {
  let t = new Date(start).getTime();
  return {
    now: () => new Date(t),
    set: (iso) => (t = new Date(iso).getTime()),
    advance: (ms) => (t += ms),
  };
}

export interface SchedulerHarness {
  db: Database;
  testDb: TestDatabase;
  env: Record<string, string>;
  config: Config;
  log: Logger;
  clock: FakeClock;
  transport: QueueTransport;
  jobs: SyncJobService;
  createInternal: CreateInternalJob;
  schedules: ScheduleService;
  /** A scheduler replica on the shared clock (not started: drive it with tick()). */
  scheduler(overrides?: Partial<SchedulerDeps>): Scheduler;
  /** Inserts integrations directly (no sandbox seeding: no worker runs their jobs). */
  integrations(count: number, enabled?: boolean): Promise<string[]>;
  /** What a worker would do: every waiting job becomes COMPLETED, so the next slot is not deduplicated onto it. */
  completeQueuedJobs(): Promise<void>;
  stop(): Promise<void>;
}

export async function startSchedulerHarness(
  options: { start: string; env?: Record<string, string> } = { start: '2026-05-10T11:30:00Z' },
): Promise<SchedulerHarness> {
  const testDb = await createTestDatabase();
  const prefix = createTestRedisPrefix();
  const env = testEnv(testDb, prefix.prefix, options.env);
  const config = loadConfig(env);
  const log = createLogger({ name: 'test', level: 'silent' });
  const clock = fakeClock(options.start);
  const redis = new Redis(config.redis.url, { maxRetriesPerRequest: 2 });
  await new Promise((resolve) => redis.once('ready', resolve));
  const transport = createQueueTransport(
    () => openBeeQueues({ redisUrl: config.redis.url, prefix: config.redis.prefix, log }),
    redis,
    config.redis.prefix,
  );
  const events = createJobEventPublisher(redis, config.redis.prefix);
  const jobs = createSyncJobService({ db: testDb.db, transport, events, config, log });
  const createInternal = createInternalJobCreator({ db: testDb.db, transport, events, config, log });
  const schedules = createScheduleService({ db: testDb.db, config, now: clock.now });
  const replicas: Scheduler[] = [];
  let n = 0;
  return {
    db: testDb.db,
    testDb,
    env,
    config,
    log,
    clock,
    transport,
    jobs,
    createInternal,
    schedules,
    scheduler(overrides = {}) {
      const scheduler = createScheduler({
        db: testDb.db,
        jobs,
        createInternal,
        config,
        log,
        now: clock.now,
        instanceId: `replica-${++n}`,
        ...overrides,
      });
      replicas.push(scheduler);
      return scheduler;
    },
    async integrations(count, enabled = true) {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const row = await insertIntegration(testDb.db, {
          name: `Store ${i + 1}`,
          platform: 'SANDBOX',
          enabled,
          settings: {},
          credentials: null,
        });
        ids.push(row.id);
      }
      return ids;
    },
    async completeQueuedJobs() {
      await testDb.db
        .updateTable('sync_jobs')
        .set({ status: 'COMPLETED', dedup_key: null, finished_at: new Date(), progress: 100 })
        .where('status', '=', 'QUEUED')
        .execute();
    },
    async stop() {
      await Promise.all(replicas.map((r) => r.stop()));
      await transport.close().catch(() => undefined);
      await redis.quit().catch(() => undefined);
      await testDb.drop();
      await prefix.cleanup();
    },
  };
}
