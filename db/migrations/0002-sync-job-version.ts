import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
// Every change to a job bumps its version, so a consumer can order snapshots published by different processes.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE sync_jobs ADD COLUMN version integer NOT NULL DEFAULT 1`.execute(db);
  await sql`
    CREATE FUNCTION sync_jobs_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.version := OLD.version + 1;
      RETURN NEW;
    END
    $$`.execute(db);
  await sql`
    CREATE TRIGGER sync_jobs_version BEFORE UPDATE ON sync_jobs
    FOR EACH ROW EXECUTE FUNCTION sync_jobs_bump_version()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TRIGGER IF EXISTS sync_jobs_version ON sync_jobs`.execute(db);
  await sql`DROP FUNCTION IF EXISTS sync_jobs_bump_version()`.execute(db);
  await sql`ALTER TABLE sync_jobs DROP COLUMN IF EXISTS version`.execute(db);
}
