/**
 * What every hub sync shares: the incremental window (watermark minus an overlap, or everything in a full sync),
 * the write batch size capped by the platform, the filter of a retry that reruns only failed items, the tally, and
 * the item ledger rows written with each page or batch.
 */
import { z } from 'zod';
import type { Database } from '../../db/database.ts';
import { insertLedgerEntries, type NewLedgerEntry } from '../../db/queries/item-ledger.ts';
import { getWatermark, type SyncResource } from '../../db/queries/watermark.ts';
import type { LedgerOutcome } from '../../db/types.ts';
import type { Cursor, Page } from '../connectors/connector.ts';
import { PlatformRequestError } from '../connectors/http/errors.ts';
import type { IncrementalQuery, PlatformConnector } from '../connectors/platform.ts';
import { PermanentError } from '../errors.ts';
import type { HandlerContext, SyncOptions } from '../handlers/handler.ts';
import {
  MAX_FAILED_KEYS,
  type ResourceDetails,
  type ResourcePlan,
  type ResourceTally,
} from '../handlers/resource-sync.ts';

/**
 * An incremental read starts this long before the watermark: platforms list a change only some time after it
 * happened (search indexes lag), timestamps tie at one-second resolution, and pages shift while being read.
 * Re-reading a few minutes is cheap because every write is an idempotent upsert.
 */
export const HUB_WATERMARK_OVERLAP_MS = 5 * 60_000;
/** How many failed items a job's result lists (the ledger has them all). */
export const MAX_FAILED_ITEMS = 50;

/** A handler context whose connector is a real platform's (of role `C`, when known). */
export type HubContext<C extends PlatformConnector = PlatformConnector> = Omit<
  HandlerContext<SyncOptions>,
  'connector'
> & { connector: C };

export interface FailedItem {
  key: string;
  code: string;
  message: string;
}

export interface HubDetails extends ResourceDetails {
  role: 'erp' | 'channel';
  /** What the run did: read from the ERP into the hub, pushed to a channel, imported orders, exported orders. */
  direction: 'erp-to-hub' | 'hub-to-channel' | 'channel-to-hub' | 'hub-to-erp';
  failedItems: FailedItem[];
  /** Set when the run was limited to some items (a retry of failed items). */
  onlyItems: number | null;
}

export interface LedgerItem {
  key: string;
  action: string;
  before?: unknown;
  after?: unknown;
  outcome: LedgerOutcome;
  code?: string | null;
  message?: string | null;
  /** False for extra rows about an item already counted (an order's reservation). */
  counted?: boolean;
}

/** One resource's run: its tally and the ledger rows not yet written. */
export class HubRun {
  readonly tally: ResourceTally & { failedItems: FailedItem[] } = {
    processed: 0,
    failed: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    failedKeys: [],
    failedItems: [],
  };
  private pending: NewLedgerEntry[] = [];
  readonly only: ReadonlySet<string> | null;
  readonly batchSize: number;
  readonly dryRun: boolean;

  constructor(
    readonly ctx: HubContext,
    readonly resource: SyncResource,
  ) {
    this.only = ctx.options.onlyItems ? new Set(ctx.options.onlyItems) : null;
    this.batchSize = Math.max(1, Math.min(ctx.options.batchSize, ctx.connector.limits.maxBatchWrite));
    this.dryRun = ctx.options.dryRun;
  }

  /** Whether an item is part of this run (a retry of failed items skips the others). */
  wants(key: string): boolean {
    return this.only === null || this.only.has(key);
  }

  record(item: LedgerItem): void {
    this.pending.push({
      jobId: this.ctx.job.id,
      integrationId: this.ctx.integration.id,
      resource: this.resource,
      key: item.key,
      action: item.action,
      before: item.before,
      after: item.after,
      outcome: item.outcome,
      errorCode: item.code ?? null,
      errorMessage: item.message ?? null,
    });
    if (item.counted === false) return;
    const t = this.tally;
    t.processed += 1;
    if (item.outcome === 'failed') {
      t.failed += 1;
      if (t.failedKeys.length < MAX_FAILED_KEYS) t.failedKeys.push(item.key);
      if (t.failedItems.length < MAX_FAILED_ITEMS)
        t.failedItems.push({ key: item.key, code: item.code ?? 'FAILED', message: item.message ?? '' });
    } else if (item.outcome === 'skipped') {
      t.unchanged += 1;
    } else if (item.action === 'create' || item.action === 'import') {
      t.created += 1;
    } else {
      t.updated += 1;
    }
  }

  /** Writes the pending ledger rows (inside the transaction that wrote the hub, when there is one). */
  async flush(db: Database): Promise<void> {
    const rows = this.pending;
    this.pending = [];
    await insertLedgerEntries(db, rows);
  }

  details(
    plan: ResourcePlan,
    extra: { direction: HubDetails['direction']; watermark: Date | undefined },
  ): HubDetails {
    const { failedItems, ...tally } = this.tally;
    return {
      resource: this.resource,
      ...tally,
      mode: this.ctx.options.fullSync ? 'full' : 'incremental',
      dryRun: this.dryRun,
      since: plan.since?.toISOString() ?? null,
      total: plan.total,
      watermark: extra.watermark?.toISOString() ?? null,
      role: this.ctx.connector.role,
      direction: extra.direction,
      failedItems,
      onlyItems: this.only ? this.only.size : null,
    };
  }
}

/** The read window of an incremental source: the watermark minus the overlap, or nothing for a full sync. */
export async function planIncremental(ctx: HubContext, resource: SyncResource): Promise<ResourcePlan> {
  ctx.signal.throwIfAborted();
  const watermark = await getWatermark(ctx.db, ctx.integration.id, resource);
  const since =
    watermark && !ctx.options.fullSync ? new Date(watermark.getTime() - HUB_WATERMARK_OVERLAP_MS) : undefined;
  return { since, total: null, watermark };
}

/** A push to a channel has no read window: it sends what changed in the hub since the last push. */
export function planPush(): Promise<ResourcePlan> {
  return Promise.resolve({ since: undefined, total: null, watermark: undefined });
}

/** Reads every page of an incremental source, handing each to `onPage` before asking for the next. */
export async function readPages<T>(
  ctx: HubContext,
  since: Date | undefined,
  list: (q: IncrementalQuery) => Promise<Page<T>>,
  onPage: (items: T[]) => Promise<void>,
): Promise<void> {
  let cursor: Cursor | undefined;
  do {
    ctx.signal.throwIfAborted();
    const page = await list({
      ...(since ? { updatedSince: since } : {}),
      ...(cursor !== undefined ? { cursor } : {}),
      pageSize: ctx.connector.limits.maxPageSize,
      signal: ctx.signal,
    });
    await onPage(page.items);
    cursor = page.next;
  } while (cursor !== undefined);
}

/** Keeps the first occurrence of each (key, updatedAt) across the pages of one run (overlaps and shifted pages). */
export function createDeduper(): (key: string, updatedAt: Date) => boolean {
  const seen = new Set<string>();
  return (key, updatedAt) => {
    const id = `${updatedAt.toISOString()} ${key}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  };
}

/** The latest `updatedAt` of some items. */
export function latestOf(items: readonly { updatedAt: Date }[]): Date | undefined {
  let latest: Date | undefined;
  for (const item of items) if (!latest || item.updatedAt > latest) latest = item.updatedAt;
  return latest;
}

/**
 * Runs a platform write for a batch: a refusal of the whole call (400/422…) becomes an item error of each item in
 * it; anything else (auth, outage, pause) stops the job as usual.
 */
export async function writeBatch<R>(
  keys: readonly string[],
  write: () => Promise<R[]>,
): Promise<{ results: R[] } | { rejected: FailedItem[] }> {
  try {
    return { results: await write() };
  } catch (err) {
    if (err instanceof PlatformRequestError) {
      return { rejected: keys.map((key) => ({ key, code: err.code, message: err.message })) };
    }
    throw err;
  }
}

const bufferSchema = z.object({ safetyBuffer: z.number().int().min(0).default(0) }).loose();

/** A channel's safety buffer: units held back from what it shows (setting `safetyBuffer`, default 0). */
export function safetyBufferOf(settings: unknown): number {
  const parsed = bufferSchema.safeParse(settings ?? {});
  if (!parsed.success)
    throw new PermanentError('The setting safetyBuffer must be a whole number ≥ 0', 'INVALID_SETTINGS');
  return parsed.data.safetyBuffer;
}
