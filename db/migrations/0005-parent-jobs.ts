import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
// A full sync is a parent job with one child per (integration, type). Workers never run the parent: a trigger rolls
// every child change up into it (counts, progress, start, end), in the same statement as the child's change.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE sync_jobs
      ADD COLUMN parent_id uuid REFERENCES sync_jobs (id) ON DELETE CASCADE,
      ADD COLUMN child_count integer,
      ADD COLUMN children_finished integer NOT NULL DEFAULT 0,
      ADD COLUMN children_failed integer NOT NULL DEFAULT 0,
      ADD COLUMN children_cancelled integer NOT NULL DEFAULT 0`.execute(db);
  await sql`CREATE INDEX sync_jobs_parent ON sync_jobs (parent_id, created_at) WHERE parent_id IS NOT NULL`.execute(
    db,
  );
  await sql`
    CREATE FUNCTION sync_jobs_roll_up() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      was_finished boolean := OLD.status IN ('COMPLETED', 'FAILED', 'CANCELLED');
      is_finished boolean := NEW.status IN ('COMPLETED', 'FAILED', 'CANCELLED');
      d_finished integer := (is_finished AND NOT was_finished)::int;
      d_failed integer := (NEW.status = 'FAILED' AND OLD.status <> 'FAILED')::int;
      d_cancelled integer := (NEW.status = 'CANCELLED' AND OLD.status <> 'CANCELLED')::int;
      d_processed integer := NEW.processed_items - OLD.processed_items;
      d_total integer := coalesce(NEW.total_items, 0) - coalesce(OLD.total_items, 0);
    BEGIN
      UPDATE sync_jobs p SET
        processed_items = p.processed_items + d_processed,
        failed_items = p.failed_items + NEW.failed_items - OLD.failed_items,
        total_items = coalesce(p.total_items, 0) + d_total,
        -- Progress follows the summed counts, or the share of finished children while totals are unknown.
        progress = CASE
          WHEN p.children_finished + d_finished >= p.child_count AND p.children_failed + d_failed = 0
            AND p.children_cancelled + d_cancelled = 0 AND p.cancel_requested_at IS NULL THEN 100
          WHEN coalesce(p.total_items, 0) + d_total > 0
            THEN least(100, round((p.processed_items + d_processed) * 1000.0 / (coalesce(p.total_items, 0) + d_total)) / 10)
          ELSE round((p.children_finished + d_finished) * 1000.0 / greatest(p.child_count, 1)) / 10 END,
        children_finished = p.children_finished + d_finished,
        children_failed = p.children_failed + d_failed,
        children_cancelled = p.children_cancelled + d_cancelled,
        error = CASE WHEN d_failed = 1 THEN jsonb_build_object(
            'code', 'CHILDREN_FAILED',
            'message', (p.children_failed + 1) || ' of ' || p.child_count || ' child jobs failed',
            'failedChildren', coalesce(p.error -> 'failedChildren', '[]'::jsonb) || to_jsonb(NEW.id::text))
          ELSE p.error END,
        started_at = coalesce(p.started_at, CASE WHEN NEW.status = 'RUNNING' THEN now() END),
        dedup_key = CASE WHEN NEW.status <> 'QUEUED' THEN NULL ELSE p.dedup_key END,
        message = (p.children_finished + d_finished) || ' of ' || p.child_count || ' child jobs finished',
        status = CASE
          WHEN p.status IN ('COMPLETED', 'FAILED', 'CANCELLED') THEN p.status
          WHEN p.children_finished + d_finished >= p.child_count THEN CASE
            WHEN p.children_failed + d_failed > 0 THEN 'FAILED'
            WHEN p.cancel_requested_at IS NOT NULL OR p.children_cancelled + d_cancelled > 0 THEN 'CANCELLED'
            ELSE 'COMPLETED' END
          WHEN NEW.status = 'RUNNING' THEN 'RUNNING'
          ELSE p.status END,
        finished_at = CASE
          WHEN p.finished_at IS NULL AND p.children_finished + d_finished >= p.child_count THEN now()
          ELSE p.finished_at END,
        updated_at = now()
      WHERE p.id = NEW.parent_id;
      RETURN NULL;
    END
    $$`.execute(db);
  await sql`
    CREATE TRIGGER sync_jobs_roll_up AFTER UPDATE OF status, processed_items, failed_items, total_items ON sync_jobs
    FOR EACH ROW WHEN (NEW.parent_id IS NOT NULL) EXECUTE FUNCTION sync_jobs_roll_up()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TRIGGER IF EXISTS sync_jobs_roll_up ON sync_jobs`.execute(db);
  await sql`DROP FUNCTION IF EXISTS sync_jobs_roll_up()`.execute(db);
  await sql`
    ALTER TABLE sync_jobs DROP COLUMN IF EXISTS parent_id, DROP COLUMN IF EXISTS child_count,
      DROP COLUMN IF EXISTS children_finished, DROP COLUMN IF EXISTS children_failed,
      DROP COLUMN IF EXISTS children_cancelled`.execute(db);
}
