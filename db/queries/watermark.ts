/**
 * Incremental-sync watermarks: per integration and resource, the newest `updated_at` already written to the
 * destination. A watermark only moves forward, so a late or repeated write can never make a sync skip records.
 */
import { sql } from 'kysely';
import type { Database } from '../database.ts';

export const SYNC_RESOURCES = ['products', 'inventory', 'orders'] as const;
export type SyncResource = (typeof SYNC_RESOURCES)[number];

export async function getWatermark(
  db: Database,
  integrationId: string,
  resource: SyncResource,
): Promise<Date | undefined> {
  const row = await db
    .selectFrom('sync_watermarks')
    .select('watermark')
    .where('integration_id', '=', integrationId)
    .where('resource', '=', resource)
    .executeTakeFirst();
  return row?.watermark;
}

/** Moves the watermark to `to` unless it is already later; returns the watermark now stored. */
export async function advanceWatermark(
  db: Database,
  integrationId: string,
  resource: SyncResource,
  to: Date,
): Promise<Date> {
  const row = await db
    .insertInto('sync_watermarks')
    .values({ integration_id: integrationId, resource, watermark: to })
    .onConflict((oc) =>
      oc.columns(['integration_id', 'resource']).doUpdateSet({
        watermark: sql<Date>`GREATEST(sync_watermarks.watermark, excluded.watermark)`,
        updated_at: sql<Date>`now()`,
      }),
    )
    .returning('watermark')
    .executeTakeFirstOrThrow();
  return row.watermark;
}

/** Forgets the watermarks of an integration (all resources, or only those given); returns how many were removed. */
export async function resetWatermarks(
  db: Database,
  integrationId: string,
  resources?: readonly SyncResource[],
): Promise<number> {
  if (resources?.length === 0) return 0;
  let query = db.deleteFrom('sync_watermarks').where('integration_id', '=', integrationId);
  if (resources) query = query.where('resource', 'in', resources);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}
