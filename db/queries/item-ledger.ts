/**
 * The item ledger: one row per item a job touched (a SKU or an order id), with the action, the value before and
 * after, the outcome and the error. Searched by integration, key, job and outcome, newest first, with a keyset
 * cursor on the row id.
 */
import type { Database } from '../database.ts';
import type { ItemLedgerEntry, LedgerOutcome } from '../types.ts';

export interface NewLedgerEntry {
  jobId: string | null;
  integrationId: string;
  resource: string;
  key: string;
  action: string;
  before?: unknown;
  after?: unknown;
  outcome: LedgerOutcome;
  errorCode?: string | null;
  errorMessage?: string | null;
}

function jsonOrNull(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

export async function insertLedgerEntries(db: Database, entries: readonly NewLedgerEntry[]): Promise<void> {
  if (entries.length === 0) return;
  // Bounded chunks keep each statement under Postgres's parameter limit.
  for (let i = 0; i < entries.length; i += 500) {
    await db
      .insertInto('item_ledger')
      .values(
        entries.slice(i, i + 500).map((e) => ({
          job_id: e.jobId,
          integration_id: e.integrationId,
          resource: e.resource,
          item_key: e.key.slice(0, 500),
          action: e.action,
          before: jsonOrNull(e.before),
          after: jsonOrNull(e.after),
          outcome: e.outcome,
          error_code: e.errorCode ?? null,
          error_message: e.errorMessage?.slice(0, 2000) ?? null,
        })),
      )
      .execute();
  }
}

export interface LedgerFilter {
  integrationId?: string | null;
  /** The item key: a SKU or an order id. */
  key?: string | null;
  jobId?: string | null;
  outcome?: LedgerOutcome | null;
  resource?: string | null;
}

/** Newest first; `afterId` is the id of the last row of the previous page. Returns one row more than `limit` if any. */
export async function listLedgerEntries(
  db: Database,
  filter: LedgerFilter,
  page: { limit: number; afterId?: number | null },
): Promise<ItemLedgerEntry[]> {
  let q = db.selectFrom('item_ledger').selectAll();
  if (filter.integrationId) q = q.where('integration_id', '=', filter.integrationId);
  if (filter.key) q = q.where('item_key', '=', filter.key);
  if (filter.jobId) q = q.where('job_id', '=', filter.jobId);
  if (filter.outcome) q = q.where('outcome', '=', filter.outcome);
  if (filter.resource) q = q.where('resource', '=', filter.resource);
  if (page.afterId != null) q = q.where('id', '<', page.afterId);
  return q
    .orderBy('id', 'desc')
    .limit(page.limit + 1)
    .execute();
}

/** The keys of the items that failed in a job (distinct, in the order they first failed). */
export async function listFailedItemKeys(db: Database, jobId: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('item_ledger')
    .select('item_key')
    .select((eb) => eb.fn.min('id').as('first_id'))
    .where('job_id', '=', jobId)
    .where('outcome', '=', 'failed')
    .groupBy('item_key')
    .orderBy('first_id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.item_key);
}
