/**
 * The bench's own database (`sync_bench_<random>`, migrated, dropped at the end) and Redis key prefix (every key
 * under it deleted at the end), plus the set-based seeding of sandbox integrations.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import pg from 'pg';
import { createDatabase, type Database } from '../../db/database.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { BENCH_APPLICATION_NAME } from './cpu.ts';

export interface BenchDatabase {
  name: string;
  url: string;
  db: Database;
  drop(): Promise<void>;
}

async function admin(adminUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export async function createBenchDatabase(adminUrl: string, runId: string): Promise<BenchDatabase> {
  const name = `sync_bench_${runId}`;
  await admin(adminUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  // The bench's own connections carry an application name so CPU accounting can leave them out.
  const own = new URL(url);
  own.searchParams.set('application_name', BENCH_APPLICATION_NAME);
  const db = createDatabase(own.toString(), { max: 4 });
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await db.destroy().catch(() => undefined);
    await admin(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  };
  try {
    await migrateToLatest(db);
  } catch (err) {
    await drop();
    throw err;
  }
  return { name, url: url.toString(), db, drop };
}

export async function databaseExists(adminUrl: string, name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return (rowCount ?? 0) > 0;
  } finally {
    await client.end();
  }
}

export function newRunId(): string {
  return randomBytes(4).toString('hex');
}

/** Deletes every key under `prefix:`; returns how many it deleted. */
export async function deleteRedisKeys(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

export async function countRedisKeys(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  let count = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      count += keys.length;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return count;
}

export const PAIR_TYPES = ['PRODUCTS', 'INVENTORY', 'ORDERS'] as const;
export type PairType = (typeof PAIR_TYPES)[number];

export interface Pair {
  integrationId: string;
  syncType: PairType;
}

export interface SandboxSettings {
  products: number;
  orders: number;
  latencyMs: number;
}

/** A sandbox store with nothing to sync: a job reads an empty page and completes. */
export const EMPTY_STORE: SandboxSettings = { products: 0, orders: 0, latencyMs: 0 };

/**
 * Inserts `count` enabled sandbox integrations in one statement (an empty store needs no `sandbox_*` rows, so this
 * is all the integration service would write) and returns their ids.
 */
export async function seedIntegrations(
  db: Database,
  count: number,
  settings: SandboxSettings,
  label: string,
): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    INSERT INTO integrations (name, platform, settings)
    SELECT ${`bench ${label} `} || g, 'SANDBOX', ${JSON.stringify(settings)}::jsonb
    FROM generate_series(1, ${count}::int) AS g
    RETURNING id`.execute(db);
  return rows.map((r) => r.id);
}

/** Distinct (integration, sync type) pairs, enough for `jobs` jobs that dedup never merges: ⌈jobs / 3⌉ integrations. */
export async function seedPairs(
  db: Database,
  jobs: number,
  settings: SandboxSettings,
  label: string,
): Promise<Pair[]> {
  const ids = await seedIntegrations(db, Math.ceil(jobs / PAIR_TYPES.length), settings, label);
  return ids.flatMap((integrationId) => PAIR_TYPES.map((syncType) => ({ integrationId, syncType })));
}

export interface StatusCounts {
  total: number;
  byStatus: Record<string, number>;
}

/** Job counts by status, for all jobs or for those of some integrations. */
export async function jobStatusCounts(db: Database, integrationIds?: string[]): Promise<StatusCounts> {
  const { rows } = await sql<{ status: string; n: number }>`
    SELECT status, count(*)::int AS n FROM sync_jobs
    ${integrationIds ? sql`WHERE integration_id = ANY(${integrationIds}::uuid[])` : sql``}
    GROUP BY status`.execute(db);
  const byStatus = Object.fromEntries(rows.map((r) => [r.status, r.n]));
  return { total: rows.reduce((a, r) => a + r.n, 0), byStatus };
}
