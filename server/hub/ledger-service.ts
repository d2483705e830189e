/**
 * Reading the item ledger for the APIs: the filter validated (ids are UUIDs, the outcome one of the ledger's),
 * newest first, with an opaque cursor. The CSV export reads through the same function.
 */
import { z } from 'zod';
import type { Database } from '../../db/database.ts';
import { listLedgerEntries } from '../../db/queries/item-ledger.ts';
import { LEDGER_OUTCOMES } from '../../db/types.ts';
import type { LedgerPage } from '../../schema/context.ts';
import { AppError } from '../errors.ts';
import { parseInput } from '../validation.ts';

const uuid = z.guid({ message: 'must be a UUID' });

export const ledgerFilterSchema = z
  .object({
    integrationId: uuid.nullish(),
    /** A SKU or an order id. */
    key: z.string().min(1).max(500).nullish(),
    /** Same as `key`, for readers who think in SKUs. */
    sku: z.string().min(1).max(500).nullish(),
    jobId: uuid.nullish(),
    outcome: z
      .string()
      .transform((v) => v.toLowerCase())
      .pipe(z.enum(LEDGER_OUTCOMES, { message: `must be one of ${LEDGER_OUTCOMES.join(', ')}` }))
      .nullish(),
    resource: z.enum(['products', 'inventory', 'orders']).nullish(),
  })
  .strict();
export type LedgerFilterInput = z.infer<typeof ledgerFilterSchema>;

export const MAX_LEDGER_PAGE = 1000;

export function encodeLedgerCursor(id: number): string {
  return Buffer.from(`ledger:${id}`).toString('base64url');
}

function decodeLedgerCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^ledger:(\d{1,18})$/.exec(text);
  if (!match)
    throw new AppError('VALIDATION_FAILED', 'after: not a cursor of this list', {
      problems: [{ path: 'after', message: 'not a cursor of this list' }],
    });
  return Number(match[1]);
}

export async function listItemLedger(
  db: Database,
  filterInput: unknown,
  page: { first?: number | null; after?: string | null },
): Promise<LedgerPage> {
  const filter = parseInput(ledgerFilterSchema, filterInput ?? {}, ['filter']);
  const first = parseInput(z.number().int().min(1).max(MAX_LEDGER_PAGE), page.first ?? 50, ['first']);
  const afterId = page.after ? decodeLedgerCursor(page.after) : null;
  const rows = await listLedgerEntries(
    db,
    {
      integrationId: filter.integrationId ?? null,
      key: filter.key ?? filter.sku ?? null,
      jobId: filter.jobId ?? null,
      outcome: filter.outcome ?? null,
      resource: filter.resource ?? null,
    },
    { limit: first, afterId },
  );
  const entries = rows.slice(0, first);
  const cursors = entries.map((e) => encodeLedgerCursor(e.id));
  return {
    entries,
    cursors,
    hasNextPage: rows.length > first,
    endCursor: cursors.at(-1) ?? null,
  };
}
