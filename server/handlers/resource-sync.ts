/**
 * The loop every sync handler shares: count, read pages from the source, write them to the destination in batches,
 * advance the watermark after each written batch, report progress, and stop at the next batch when aborted.
 */
import type { SyncType } from '../../db/types.ts';
import { advanceWatermark, getWatermark, type SyncResource } from '../../db/queries/watermark.ts';
import type { Connector, ItemResult, Page, ReadQuery, WriteOptions } from '../connectors/connector.ts';
import { isPlatformConnector } from '../connectors/index.ts';
import { PermanentError } from '../errors.ts';
import {
  defineHandler,
  syncOptionsSchema,
  type HandlerContext,
  type JobHandler,
  type JobResultSummary,
  type SyncOptions,
} from './handler.ts';

/**
 * An incremental read starts this long before the watermark: a row stamped just before the watermark can commit
 * after the rows that set it were read, and rows sharing the watermark's instant may not all have been written.
 */
export const WATERMARK_OVERLAP_MS = 1000;
/** Page size asked of the platform, which may serve less; unrelated to the write batch size. */
export const READ_PAGE_SIZE = 500;
export const MAX_FAILED_KEYS = 20;

export interface ResourceSyncSpec<T extends { updatedAt: Date }> {
  resource: SyncResource;
  count(connector: Connector, q: Omit<ReadQuery, 'cursor' | 'pageSize'>): Promise<number | null>;
  list(connector: Connector, q: ReadQuery): Promise<Page<T>>;
  write(connector: Connector, items: T[], opts: WriteOptions): Promise<ItemResult[]>;
}

export interface ResourcePlan {
  /** Lower bound of an incremental read; absent for a full sync. */
  since: Date | undefined;
  total: number | null;
  /** The stored watermark when the run was planned. */
  watermark: Date | undefined;
  /** The first page, when planning read it (its size is the total when it is the only page). */
  firstPage?: Page<unknown>;
}

export interface ResourceTally {
  processed: number;
  failed: number;
  created: number;
  updated: number;
  unchanged: number;
  /** The first failed keys, at most MAX_FAILED_KEYS. */
  failedKeys: string[];
}

export interface ResourceDetails extends ResourceTally {
  resource: SyncResource;
  mode: 'full' | 'incremental';
  dryRun: boolean;
  since: string | null;
  total: number | null;
  /** The watermark after the run, if there is one. */
  watermark: string | null;
}

/** One resource's sync with its item type hidden, so resources can be run one after another in a single job. */
export interface ResourceSync {
  resource: SyncResource;
  plan(ctx: HandlerContext<SyncOptions>): Promise<ResourcePlan>;
  execute(
    ctx: HandlerContext<SyncOptions>,
    plan: ResourcePlan,
    onBatch: (tally: Readonly<ResourceTally>) => void,
  ): Promise<ResourceDetails>;
}

function emptyTally(): ResourceTally {
  return { processed: 0, failed: 0, created: 0, updated: 0, unchanged: 0, failedKeys: [] };
}

/** Counts results by the connector convention: 'ok' is CREATED or else an update, 'skipped' means unchanged. */
function tallyResults(tally: ResourceTally, batchSize: number, results: readonly ItemResult[]): void {
  tally.processed += batchSize;
  for (const result of results) {
    if (result.status === 'failed') {
      tally.failed += 1;
      if (tally.failedKeys.length < MAX_FAILED_KEYS) tally.failedKeys.push(result.key);
    } else if (result.status === 'skipped') {
      tally.unchanged += 1;
    } else if (result.code === 'CREATED') {
      tally.created += 1;
    } else {
      tally.updated += 1;
    }
  }
}

/** The sandbox connector of a context; real platforms go through the hub (see `withHub`). */
function sandboxConnector(ctx: HandlerContext<SyncOptions>): Connector {
  if (isPlatformConnector(ctx.connector)) {
    throw new PermanentError('A real platform syncs through the hub', 'UNSUPPORTED_PLATFORM');
  }
  return ctx.connector;
}

/** A resource sync that runs `hub` for a real platform's integration and `sandbox` for the sandbox's. */
export function withHub(hub: ResourceSync, sandbox: ResourceSync): ResourceSync {
  const pick = (ctx: HandlerContext<SyncOptions>) => (isPlatformConnector(ctx.connector) ? hub : sandbox);
  return {
    resource: sandbox.resource,
    plan: (ctx) => pick(ctx).plan(ctx),
    execute: (ctx, plan, onBatch) => pick(ctx).execute(ctx, plan, onBatch),
  };
}

function latestUpdate(items: readonly { updatedAt: Date }[]): Date | undefined {
  let latest: Date | undefined;
  for (const item of items) if (!latest || item.updatedAt > latest) latest = item.updatedAt;
  return latest;
}

export function defineResourceSync<T extends { updatedAt: Date }>(spec: ResourceSyncSpec<T>): ResourceSync {
  return {
    resource: spec.resource,

    async plan(ctx) {
      ctx.signal.throwIfAborted();
      const watermark = ctx.watermarks
        ? ctx.watermarks.get(spec.resource)
        : await getWatermark(ctx.db, ctx.integration.id, spec.resource);
      const since =
        watermark && !ctx.options.fullSync ? new Date(watermark.getTime() - WATERMARK_OVERLAP_MS) : undefined;
      const connector = sandboxConnector(ctx);
      const query = { ...(since ? { updatedSince: since } : {}), signal: ctx.signal };
      // The first page comes first: when it is the only one, its size is the total and no count is asked for
      // (most incremental runs, and every run with nothing to sync, make one call instead of two).
      const firstPage = await spec.list(connector, { ...query, pageSize: READ_PAGE_SIZE });
      const total =
        firstPage.next === undefined ? firstPage.items.length : await spec.count(connector, query);
      return { since, total, watermark, firstPage };
    },

    async execute(ctx, plan, onBatch) {
      const { batchSize, dryRun } = ctx.options;
      const { signal } = ctx;
      const connector = sandboxConnector(ctx);
      const tally = emptyTally();
      let watermark = plan.watermark;
      ctx.log.info(
        { resource: spec.resource, since: plan.since, total: plan.total, dryRun },
        'resource sync started',
      );

      // Pages and batches differ in size, so items wait here until a full batch (or the last items) can be written.
      const first = plan.firstPage as Page<T> | undefined;
      const pending: T[] = first ? [...first.items] : [];
      let cursor: string | undefined = first?.next;
      let exhausted = first !== undefined && cursor === undefined;
      for (;;) {
        while (!exhausted && pending.length < batchSize) {
          signal.throwIfAborted();
          const page = await spec.list(connector, {
            ...(plan.since ? { updatedSince: plan.since } : {}),
            ...(cursor !== undefined ? { cursor } : {}),
            pageSize: READ_PAGE_SIZE,
            signal,
          });
          pending.push(...page.items);
          cursor = page.next;
          exhausted = cursor === undefined;
        }
        if (pending.length === 0) break;

        const batch = pending.splice(0, batchSize);
        signal.throwIfAborted();
        const results = await spec.write(connector, batch, { dryRun, signal });
        tallyResults(tally, batch.length, results);
        const batchLatest = latestUpdate(batch);
        if (!dryRun && batchLatest) {
          watermark = await advanceWatermark(ctx.db, ctx.integration.id, spec.resource, batchLatest);
        }
        onBatch(tally);
      }

      ctx.log.info({ resource: spec.resource, ...tally }, 'resource sync finished');
      return {
        resource: spec.resource,
        ...tally,
        mode: plan.since ? 'incremental' : 'full',
        dryRun,
        since: plan.since?.toISOString() ?? null,
        total: plan.total,
        watermark: watermark?.toISOString() ?? null,
      };
    },
  };
}

export function progressMessage(
  resource: SyncResource,
  tally: Readonly<ResourceTally>,
  total: number | null,
): string {
  return total === null
    ? `Syncing ${resource}: ${tally.processed} processed`
    : `Syncing ${resource}: ${tally.processed}/${total}`;
}

export function summaryMessage(details: ResourceDetails): string {
  const counts = `${details.created} created, ${details.updated} updated, ${details.unchanged} unchanged, ${details.failed} failed`;
  const prefix = details.dryRun ? 'Dry run, nothing written. ' : '';
  return `${prefix}${details.resource}: ${details.processed} processed (${counts})`;
}

/**
 * A real platform's run says whether every item went through ('success') or some failed ('partial': the job still
 * completes, its failed items are listed and a retry reruns only them).
 */
export function outcomeOf(
  ctx: HandlerContext<SyncOptions>,
  failed: number,
): { outcome?: 'success' | 'partial' } {
  if (!isPlatformConnector(ctx.connector)) return {};
  return { outcome: failed > 0 ? 'partial' : 'success' };
}

/** A job handler that syncs one resource. */
export function defineResourceHandler(type: SyncType, sync: ResourceSync): JobHandler<SyncOptions> {
  return defineHandler({
    type,
    options: syncOptionsSchema,
    async run(ctx): Promise<JobResultSummary> {
      const plan = await sync.plan(ctx);
      ctx.progress({
        processed: 0,
        total: plan.total,
        failed: 0,
        message: progressMessage(sync.resource, emptyTally(), plan.total),
      });
      const details = await sync.execute(ctx, plan, (tally) =>
        ctx.progress({
          processed: tally.processed,
          total: plan.total,
          failed: tally.failed,
          message: progressMessage(sync.resource, tally, plan.total),
        }),
      );
      return {
        processed: details.processed,
        total: plan.total,
        failed: details.failed,
        message: summaryMessage(details),
        details: { ...details, ...outcomeOf(ctx, details.failed) },
      };
    },
  });
}
