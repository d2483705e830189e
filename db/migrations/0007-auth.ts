import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
// API keys (only a hash of each secret is stored; public_id is the short, non-secret part used to look a key up)
// and the audit log of privileged actions (who, what, when, with which arguments; never secrets).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE api_keys (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      public_id text NOT NULL UNIQUE,
      name text NOT NULL,
      role text NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
      secret_hash text NOT NULL,
      created_by text,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz,
      revoked_at timestamptz,
      last_used_at timestamptz
    )`.execute(db);

  await sql`
    CREATE TABLE audit_log (
      id bigserial PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT now(),
      actor_key_id uuid,
      actor_name text NOT NULL,
      actor_role text,
      action text NOT NULL,
      target text,
      args jsonb
    )`.execute(db);
  await sql`CREATE INDEX audit_log_at ON audit_log (at, id)`.execute(db);
  await sql`CREATE INDEX audit_log_action ON audit_log (action, id)`.execute(db);
  await sql`CREATE INDEX audit_log_actor ON audit_log (actor_key_id, id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS audit_log`.execute(db);
  await sql`DROP TABLE IF EXISTS api_keys`.execute(db);
}
