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
    credentials: Record<string, unknown> | null;
  },
): Promise<Integration> {
  return db
    .insertInto('integrations')
    .values({
      name: values.name,
      platform: values.platform,
      enabled: values.enabled,
      settings: JSON.stringify(values.settings),
      credentials: values.credentials === null ? null : JSON.stringify(values.credentials),
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
    credentials?: Record<string, unknown> | null;
  },
): Promise<Integration | undefined> {
  return db
    .updateTable('integrations')
    .set({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
      ...(patch.settings !== undefined ? { settings: JSON.stringify(patch.settings) } : {}),
      ...(patch.credentials !== undefined
        ? { credentials: patch.credentials === null ? null : JSON.stringify(patch.credentials) }
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
