import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
// A job's timeline is written by a trigger, so every path that changes a job records it without extra round trips.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE sync_jobs ADD COLUMN retry_of uuid REFERENCES sync_jobs (id) ON DELETE SET NULL`.execute(
    db,
  );
  await sql`CREATE INDEX sync_jobs_retry_of ON sync_jobs (retry_of) WHERE retry_of IS NOT NULL`.execute(db);
  await sql`
    CREATE TABLE sync_job_events (
      id bigserial PRIMARY KEY,
      job_id uuid NOT NULL REFERENCES sync_jobs (id) ON DELETE CASCADE,
      kind text NOT NULL,
      status text NOT NULL,
      attempt integer NOT NULL,
      message text,
      progress real NOT NULL,
      processed_items integer NOT NULL,
      total_items integer,
      failed_items integer NOT NULL,
      error jsonb,
      at timestamptz NOT NULL DEFAULT clock_timestamp()
    )`.execute(db);
  await sql`CREATE INDEX sync_job_events_job ON sync_job_events (job_id, id)`.execute(db);
  await sql`
    CREATE FUNCTION sync_jobs_record_event() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      event_kind text;
    BEGIN
      IF TG_OP = 'INSERT' THEN
        event_kind := 'CREATED';
      ELSIF NEW.status IS DISTINCT FROM OLD.status THEN
        event_kind := CASE
          WHEN NEW.status = 'RUNNING' THEN 'STARTED'
          WHEN NEW.status = 'QUEUED' THEN 'RETRYING'
          ELSE NEW.status
        END;
      ELSIF NEW.status = 'RUNNING' AND OLD.cancel_requested_at IS NULL AND NEW.cancel_requested_at IS NOT NULL THEN
        event_kind := 'CANCEL_REQUESTED';
      ELSIF NEW.status = 'RUNNING' AND NEW.attempts <> OLD.attempts THEN
        event_kind := 'STARTED';
      ELSIF NEW.status = 'QUEUED' AND NEW.run_at IS DISTINCT FROM OLD.run_at THEN
        event_kind := 'RESCHEDULED';
      ELSIF NEW.status = 'RUNNING' AND NEW.message IS DISTINCT FROM OLD.message AND NOT EXISTS (
        -- progress messages are kept at most one per two seconds per job
        SELECT 1 FROM sync_job_events e
        WHERE e.job_id = NEW.id AND e.kind = 'PROGRESS' AND e.at > clock_timestamp() - interval '2 seconds'
      ) THEN
        event_kind := 'PROGRESS';
      ELSE
        RETURN NULL;
      END IF;
      INSERT INTO sync_job_events (job_id, kind, status, attempt, message, progress, processed_items, total_items,
        failed_items, error)
      VALUES (NEW.id, event_kind, NEW.status, NEW.attempts, NEW.message, NEW.progress, NEW.processed_items,
        NEW.total_items, NEW.failed_items, CASE WHEN event_kind IN ('FAILED', 'RETRYING', 'CANCELLED') THEN NEW.error END);
      RETURN NULL;
    END
    $$`.execute(db);
  await sql`
    CREATE TRIGGER sync_jobs_events AFTER INSERT OR UPDATE ON sync_jobs
    FOR EACH ROW EXECUTE FUNCTION sync_jobs_record_event()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TRIGGER IF EXISTS sync_jobs_events ON sync_jobs`.execute(db);
  await sql`DROP FUNCTION IF EXISTS sync_jobs_record_event()`.execute(db);
  await sql`DROP TABLE IF EXISTS sync_job_events`.execute(db);
  await sql`ALTER TABLE sync_jobs DROP COLUMN IF EXISTS retry_of`.execute(db);
}
