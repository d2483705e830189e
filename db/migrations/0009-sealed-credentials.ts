import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
// Integration credentials are kept sealed (AES-256-GCM, `v<n>.<keyId>.…` text) in credentials_sealed. The old
// jsonb column stays for rows written before this migration: they are read as they are and moved into the sealed
// column (the plaintext cleared) on their next write. A migration cannot seal them itself: it has no key.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE integrations ADD COLUMN credentials_sealed text`.execute(db);
  await sql`
    ALTER TABLE integrations ADD CONSTRAINT integrations_credentials_sealed_format
      CHECK (credentials_sealed IS NULL OR credentials_sealed ~ '^v[0-9]+[.]')`.execute(db);
  await sql`COMMENT ON COLUMN integrations.credentials IS 'Legacy plaintext credentials; cleared when the row is re-sealed'`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE integrations DROP COLUMN IF EXISTS credentials_sealed`.execute(db);
}
