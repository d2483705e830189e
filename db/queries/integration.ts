/**
 * Integration rows. Credentials are stored sealed (`credentials_sealed`, text sealed by the SecretBox); this layer
 * never sees plaintext credentials and never writes the legacy plaintext `credentials` column except to clear it.
 * Sealing and opening live in server/security/integration-credentials.ts (`openIntegrationCredentials`).
 */
import { sql } from 'kysely';
import type { Database } from '../database.ts';
import type { Integration, Platform } from '../types.ts';

export async function insertIntegration(
  db: Database,
  values: {
    name: string;
    platform: Platform;
    enabled: boolean;
    settings: Record<string, unknown>;
    /** Already sealed; null when the integration has none. */
    credentials_sealed?: string | null;
    /** Plaintext is not accepted here: only "none". */
    credentials?: null;
  },
): Promise<Integration> {
  return db
    .insertInto('integrations')
    .values({
      name: values.name,
      platform: values.platform,
      enabled: values.enabled,
      settings: JSON.stringify(values.settings),
      credentials: null,
      credentials_sealed: values.credentials_sealed ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findIntegrationById(db: Database, id: string): Promise<Integration | undefined> {
  return db.selectFrom('integrations').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findIntegrationsByIds(db: Database, ids: string[]): Promise<Integration[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('integrations').selectAll().where('id', 'in', ids).execute();
}

export async function listIntegrations(
  db: Database,
  filter: { enabled?: boolean; platform?: Platform } = {},
): Promise<Integration[]> {
  let q = db.selectFrom('integrations').selectAll();
  if (filter.enabled !== undefined) q = q.where('enabled', '=', filter.enabled);
  if (filter.platform) q = q.where('platform', '=', filter.platform);
  return q.orderBy('created_at').orderBy('id').execute();
}

export async function updateIntegration(
  db: Database,
  id: string,
  patch: {
    name?: string;
    enabled?: boolean;
    settings?: Record<string, unknown>;
    /** Already sealed (null removes them); also clears any legacy plaintext. */
    credentials_sealed?: string | null;
  },
): Promise<Integration | undefined> {
  return db
    .updateTable('integrations')
    .set({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
      ...(patch.settings !== undefined ? { settings: JSON.stringify(patch.settings) } : {}),
      ...(patch.credentials_sealed !== undefined
        ? { credentials_sealed: patch.credentials_sealed, credentials: null }
        : {}),
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Ids of enabled integrations in id order, a page at a time (keyset on id). */
export async function listEnabledIntegrationIds(
  db: Database,
  page: { afterId?: string; limit: number },
): Promise<string[]> {
  let q = db.selectFrom('integrations').select('id').where('enabled', '=', true);
  if (page.afterId) q = q.where('id', '>', page.afterId);
  const rows = await q.orderBy('id').limit(page.limit).execute();
  return rows.map((r) => r.id);
}

/**
 * Replaces an integration's stored credentials with `sealed` (clearing the legacy plaintext) only if they are still
 * exactly `expected`, so a re-seal never overwrites credentials another request changed meanwhile.
 */
export async function resealIntegrationCredentials(
  db: Database,
  id: string,
  expected: Pick<Integration, 'credentials' | 'credentials_sealed'>,
  sealed: string | null,
): Promise<boolean> {
  const plain = expected.credentials === null ? null : JSON.stringify(expected.credentials);
  const result = await db
    .updateTable('integrations')
    .set({ credentials_sealed: sealed, credentials: null })
    .where('id', '=', id)
    .where(sql<boolean>`credentials_sealed IS NOT DISTINCT FROM ${expected.credentials_sealed}`)
    .where(sql<boolean>`credentials IS NOT DISTINCT FROM ${plain}::jsonb`)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** The stored credential columns of one integration (sealed and legacy plaintext), or undefined. */
export async function findIntegrationCredentials(
  db: Database,
  id: string,
): Promise<Pick<Integration, 'credentials' | 'credentials_sealed'> | undefined> {
  return db
    .selectFrom('integrations')
    .select(['credentials', 'credentials_sealed'])
    .where('id', '=', id)
    .executeTakeFirst();
}
