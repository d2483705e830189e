import pg from 'pg';
import { createDatabase } from '../../db/database.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { TEMPLATE_DB, TEST_PG_ADMIN_URL, databaseUrl } from './env.ts';

/** Migrates a template database once; each test file clones it (CREATE DATABASE … TEMPLATE), which takes milliseconds. */
export default async function setup(): Promise<void> {
  const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await admin.connect();
  try {
    const stale = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE 'sync_test_%' OR datname = $1`,
      [TEMPLATE_DB],
    );
    for (const { datname } of stale.rows)
      await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${TEMPLATE_DB}"`);
  } finally {
    await admin.end();
  }
  const db = createDatabase(databaseUrl(TEMPLATE_DB), { max: 1 });
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
}
