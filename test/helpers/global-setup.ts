import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createDatabase } from '../../db/database.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { TEST_PG_ADMIN_URL, databaseUrl } from './env.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDb: string;
    runId: string;
  }
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Migrates a template database once per run; each test file clones it (CREATE DATABASE … TEMPLATE), which takes
 * milliseconds. Names carry a run id so concurrent runs on one machine never touch each other's databases.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const runId = randomBytes(3).toString('hex');
  const templateDb = `sync_tpl_${runId}`;
  await admin(`CREATE DATABASE "${templateDb}"`);
  const db = createDatabase(databaseUrl(templateDb), { max: 1 });
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
  project.provide('templateDb', templateDb);
  project.provide('runId', runId);
  return async () => {
    const client = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
    await client.connect();
    try {
      const { rows } = await client.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname = $2`,
        [`sync_test_${runId}_%`, templateDb],
      );
      for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    } finally {
      await client.end();
    }
  };
}
