import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
// Periodic schedules are data. A slot (schedule, instant) fires at most once across every scheduler replica: its
// schedule_runs row is the claim, and the jobs it creates carry an idempotency key derived from the slot.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Maintenance jobs (CLEANUP) belong to no integration.
  await sql`ALTER TABLE sync_jobs ALTER COLUMN integration_id DROP NOT NULL`.execute(db);

  await sql`
    CREATE TABLE schedules (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
      cron text NOT NULL,
      timezone text NOT NULL,
      target text NOT NULL CHECK (target IN ('INTEGRATION', 'ALL_INTEGRATIONS', 'CLEANUP')),
      sync_type text,
      integration_id uuid REFERENCES integrations (id) ON DELETE CASCADE,
      priority text NOT NULL DEFAULT 'NORMAL',
      options jsonb NOT NULL DEFAULT '{}',
      enabled boolean NOT NULL DEFAULT true,
      missed_run_policy text NOT NULL DEFAULT 'RUN_ONCE' CHECK (missed_run_policy IN ('RUN_ONCE', 'SKIP')),
      next_run_at timestamptz,
      last_run_at timestamptz,
      last_run_slot timestamptz,
      last_job_ids uuid[] NOT NULL DEFAULT '{}',
      last_error jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (
        (target = 'INTEGRATION' AND sync_type IS NOT NULL AND integration_id IS NOT NULL)
        OR (target = 'ALL_INTEGRATIONS' AND sync_type IS NOT NULL AND integration_id IS NULL)
        OR (target = 'CLEANUP' AND sync_type IS NULL AND integration_id IS NULL)
      )
    )`.execute(db);
  await sql`CREATE INDEX schedules_due ON schedules (next_run_at) WHERE enabled`.execute(db);
  await sql`CREATE INDEX schedules_integration ON schedules (integration_id) WHERE integration_id IS NOT NULL`.execute(
    db,
  );

  await sql`
    CREATE TABLE schedule_runs (
      schedule_id uuid NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
      slot timestamptz NOT NULL,
      status text NOT NULL CHECK (status IN ('PENDING', 'FIRED', 'SKIPPED', 'FAILED')),
      claimed_by text,
      claimed_at timestamptz NOT NULL,
      attempts integer NOT NULL DEFAULT 0,
      fired_at timestamptz,
      job_ids uuid[] NOT NULL DEFAULT '{}',
      job_count integer NOT NULL DEFAULT 0,
      deduplicated_count integer NOT NULL DEFAULT 0,
      error jsonb,
      PRIMARY KEY (schedule_id, slot)
    )`.execute(db);
  await sql`CREATE INDEX schedule_runs_pending ON schedule_runs (claimed_at) WHERE status = 'PENDING'`.execute(
    db,
  );

  // The seed's Celery Beat schedule. next_run_at stays NULL: the scheduler computes it from the cron expression.
  await sql`
    INSERT INTO schedules (name, cron, timezone, target, sync_type, options)
    VALUES
      ('cleanup old jobs', '0 2 * * *', 'America/Sao_Paulo', 'CLEANUP', NULL, '{}'),
      ('full sync all integrations', '0 3 * * *', 'America/Sao_Paulo', 'ALL_INTEGRATIONS', 'ALL',
        '{"fullSync": false, "batchSize": 100, "dryRun": false}')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS schedule_runs`.execute(db);
  await sql`DROP TABLE IF EXISTS schedules`.execute(db);
  await sql`DELETE FROM sync_jobs WHERE integration_id IS NULL`.execute(db);
  await sql`ALTER TABLE sync_jobs ALTER COLUMN integration_id SET NOT NULL`.execute(db);
}
