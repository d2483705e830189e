import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
// Operations: which queues are paused (the record; workers read it at start and when told over Redis), and the
// newest log lines of each job, written by workers in batches and trimmed to a bound per job.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE queue_controls (
      queue text PRIMARY KEY,
      paused boolean NOT NULL DEFAULT false,
      changed_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE sync_job_logs (
      id bigserial PRIMARY KEY,
      job_id uuid NOT NULL REFERENCES sync_jobs (id) ON DELETE CASCADE,
      attempt integer NOT NULL,
      level text NOT NULL CHECK (level IN ('INFO', 'WARN', 'ERROR', 'FATAL')),
      message text NOT NULL,
      data jsonb,
      worker_id text,
      at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX sync_job_logs_job ON sync_job_logs (job_id, id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS sync_job_logs`.execute(db);
  await sql`DROP TABLE IF EXISTS queue_controls`.execute(db);
}
