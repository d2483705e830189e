/** The audit log: append an entry, page through entries newest first, delete old entries in batches. */
import type { Database } from '../database.ts';
import type { AuditEntry } from '../types.ts';

export interface NewAuditEntry {
  actorKeyId: string | null;
  actorName: string;
  actorRole: string | null;
  action: string;
  target: string | null;
  args: unknown;
}

export async function insertAuditEntry(db: Database, entry: NewAuditEntry): Promise<AuditEntry> {
  return db
    .insertInto('audit_log')
    .values({
      actor_key_id: entry.actorKeyId,
      actor_name: entry.actorName,
      actor_role: entry.actorRole,
      action: entry.action,
      target: entry.target,
      args: entry.args === undefined ? null : JSON.stringify(entry.args),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface AuditFilter {
  actions?: string[];
  keyId?: string;
  after?: Date;
  before?: Date;
}

/** Newest first; `beforeId` is the paging cursor (entries with a smaller id). Fetches `limit` rows. */
export async function listAuditEntries(
  db: Database,
  filter: AuditFilter,
  page: { limit: number; beforeId?: number },
): Promise<{ entries: AuditEntry[]; totalCount: number }> {
  let base = db.selectFrom('audit_log');
  if (filter.actions && filter.actions.length > 0) base = base.where('action', 'in', filter.actions);
  if (filter.keyId) base = base.where('actor_key_id', '=', filter.keyId);
  if (filter.after) base = base.where('at', '>=', filter.after);
  if (filter.before) base = base.where('at', '<', filter.before);
  let rows = base.selectAll().orderBy('id', 'desc').limit(page.limit);
  if (page.beforeId !== undefined) rows = rows.where('id', '<', page.beforeId);
  const [entries, count] = await Promise.all([
    rows.execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { entries, totalCount: Number(count.n) };
}

/** Deletes at most `limit` entries older than `cutoff`, oldest first; returns how many. */
export async function deleteOldAuditEntries(db: Database, cutoff: Date, limit: number): Promise<number> {
  const result = await db
    .deleteFrom('audit_log')
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('audit_log')
        .select('id')
        .where('at', '<', cutoff)
        .orderBy('id')
        .limit(limit)
        .forUpdate()
        .skipLocked(),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
