import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { createDatabase, type Database } from '../../db/database.ts';
import type { NewSyncJob } from '../../db/types.ts';
import { inject } from 'vitest';
import { TEST_PG_ADMIN_URL, databaseUrl } from './env.ts';

export interface TestDatabase {
  name: string;
  url: string;
  db: Database;
  drop(): Promise<void>;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated database cloned from the template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = inject('templateDb');
  const name = `sync_test_${inject('runId')}_${randomBytes(4).toString('hex')}`;
  // Cloning needs the template to have no other sessions; retry briefly if two files clone at once.
  for (let attempt = 0; ; attempt++) {
    try {
      await admin((c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
      break;
    } catch (err) {
      if (attempt >= 20 || !String(err).includes('being accessed by other users')) throw err;
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
    }
  }
  const url = databaseUrl(name);
  const db = createDatabase(url, { max: 5 });
  return {
    name,
    url,
    db,
    async drop() {
      await db.destroy();
      await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

/** A sandbox integration to hang jobs on; returns its id. */
export async function insertSandboxIntegration(db: Database): Promise<string> {
  const row = await db
    .insertInto('integrations')
    .values({ name: 'x', platform: 'SANDBOX', settings: '{}', credentials: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A new QUEUED PRODUCTS job row of `integrationId` on sync_products, for inserting straight into sync_jobs. */
export function queuedJobRow(integrationId: string, overrides: Partial<NewSyncJob> = {}): NewSyncJob {
  return {
    id: randomUUID(),
    integration_id: integrationId,
    sync_type: 'PRODUCTS',
    priority: 'NORMAL',
    origin: 'API',
    queue: 'sync_products',
    status: 'QUEUED',
    options: '{}',
    idempotency_key: null,
    dedup_key: null,
    max_attempts: 2,
    run_at: null,
    ...overrides,
  };
}
