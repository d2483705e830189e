/** A bulk of 1,000 jobs costs a constant number of SQL statements and lands in Redis, not N round trips. */
import { Redis } from 'ioredis';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DB } from '../../db/types.ts';
import { createJobEventPublisher } from '../../server/events/job-events.ts';
import { createSyncJobService } from '../../server/jobs/sync-job-service.ts';
import { createLogger } from '../../server/logger.ts';
import { beeQueueKey, createQueueTransport, openBeeQueues } from '../../server/queue/transport.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createTestRedisPrefix } from '../helpers/redis.ts';
import { waitFor } from '../helpers/wait.ts';

const log = createLogger({ name: 'test', level: 'silent' });
let t: TestDatabase;
let db: Kysely<DB>;
let redis: Redis;
const prefix = createTestRedisPrefix();
let statements = 0;

beforeAll(async () => {
  t = await createTestDatabase();
  db = new Kysely<DB>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: t.url, max: 4 }) }),
    log: (event) => {
      if (event.level === 'query') statements++;
    },
  });
  redis = new Redis(prefix.url);
  await waitFor('redis ready', () => redis.status === 'ready');
});

afterAll(async () => {
  redis.disconnect();
  await db.destroy();
  await t.drop();
  await prefix.cleanup();
});

it('bulk-creates 1,000 jobs with one multi-row insert and a pipelined enqueue', async () => {
  const { rows } = await sql<{ id: string }>`
    INSERT INTO integrations (name, platform, settings)
    SELECT 'i' || g, 'SANDBOX', '{}'::jsonb FROM generate_series(1, 334) g RETURNING id`.execute(db);
  const transport = createQueueTransport(
    () => openBeeQueues({ redisUrl: prefix.url, prefix: prefix.prefix, log }),
    redis,
    prefix.prefix,
  );
  const service = createSyncJobService({
    db,
    transport,
    events: createJobEventPublisher(redis, prefix.prefix),
    config: { jobs: { maxAttempts: 3, retryBackoffMs: 10, bulkLimit: 1000 } },
    log,
  });
  const inputs = rows
    .flatMap(({ id }) =>
      ['PRODUCTS', 'INVENTORY', 'ORDERS'].map((syncType) => ({ integrationId: id, syncType })),
    )
    .slice(0, 1000);
  statements = 0;
  const created = await service.bulkCreate(inputs);
  expect(created).toHaveLength(1000);
  expect(new Set(created.map((c) => c.job.id)).size).toBe(1000);
  // integration lookup + one INSERT … RETURNING
  expect(statements).toBe(2);
  expect(await redis.llen(beeQueueKey(prefix.prefix, 'sync_bulk', 'waiting'))).toBe(1000);

  // Replaying the same bulk dedups every entry against the waiting jobs, still in a handful of statements.
  statements = 0;
  const replay = await service.bulkCreate(inputs);
  expect(replay.every((r, i) => r.deduplicated && r.job.id === created[i]!.job.id)).toBe(true);
  expect(statements).toBeLessThanOrEqual(4);
  expect(await redis.llen(beeQueueKey(prefix.prefix, 'sync_bulk', 'waiting'))).toBe(1000);
  await transport.close();
});
