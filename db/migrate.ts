import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import * as m0001 from './migrations/0001-sync-jobs.ts';
import * as m0002 from './migrations/0002-sync-job-version.ts';
import * as m0003 from './migrations/0003-sync-job-events.ts';
import * as m0004 from './migrations/0004-schedules.ts';
import * as m0005 from './migrations/0005-parent-jobs.ts';
import * as m0006 from './migrations/0006-monitor.ts';
import * as m0007 from './migrations/0007-auth.ts';
import * as m0008 from './migrations/0008-hub.ts';
import * as m0009 from './migrations/0009-sealed-credentials.ts';

// A static list keeps the built output free of file-system discovery.
const migrations: Record<string, Migration> = {
  '0001-sync-jobs': m0001,
  '0002-sync-job-version': m0002,
  '0003-sync-job-events': m0003,
  '0004-schedules': m0004,
  '0005-parent-jobs': m0005,
  '0006-monitor': m0006,
  '0007-auth': m0007,
  '0008-hub': m0008,
  '0009-sealed-credentials': m0009,
};

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) };

/** Brings the database to the latest schema. Safe to call from many processes at once (kysely locks). */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(JSON.stringify(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
