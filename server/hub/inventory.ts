/**
 * Stock through the hub. From an ERP: stock on hand per (SKU, warehouse), read incrementally like products. To a
 * channel: the available quantity — max(0, on hand over all warehouses − reserved by open orders − the channel's
 * safety buffer) — set as an absolute value, skipped when it equals what was last pushed there.
 */
import {
  getHubStock,
  hubStockKey,
  listStockToPush,
  markStockPushed,
  upsertHubStock,
} from '../../db/queries/hub.ts';
import { advanceWatermark } from '../../db/queries/watermark.ts';
import type { ChannelConnector, ChannelRef, ErpConnector, ErpStockLevel } from '../connectors/platform.ts';
import type { ResourceDetails, ResourcePlan, ResourceTally } from '../handlers/resource-sync.ts';
import { defineHubSync } from './context.ts';
import { resolveRefs } from './links.ts';
import {
  createDeduper,
  latestOf,
  readPages,
  safetyBufferOf,
  writeBatch,
  HubRun,
  type HubContext,
} from './run.ts';

function levelProblem(s: ErpStockLevel): string | null {
  if (typeof s.sku !== 'string' || s.sku.trim() === '') return 'The stock level has no SKU';
  if (!Number.isInteger(s.onHand)) return `The quantity ${String(s.onHand)} is not a whole number`;
  return null;
}

async function importFromErp(
  ctx: HubContext<ErpConnector>,
  plan: ResourcePlan,
  onBatch: (tally: Readonly<ResourceTally>) => void,
): Promise<ResourceDetails> {
  const run = new HubRun(ctx, 'inventory');
  const fresh = createDeduper();
  let watermark = plan.watermark;
  await readPages(
    ctx,
    plan.since,
    (q) => ctx.connector.listStock(q),
    async (items) => {
      const page = items.filter(
        (s) => fresh(hubStockKey(s.sku, s.warehouse), s.updatedAt) && run.wants(s.sku),
      );
      const known = await getHubStock(ctx.db, page);
      await ctx.db.transaction().execute(async (trx) => {
        for (const s of page) {
          const problem = levelProblem(s);
          if (problem) {
            run.record({
              key: s.sku || '(no sku)',
              action: 'update',
              after: s,
              outcome: 'failed',
              code: 'INVALID_ITEM',
              message: problem,
            });
            continue;
          }
          const key = hubStockKey(s.sku, s.warehouse);
          const before = known.get(key);
          const after = { warehouse: s.warehouse, onHand: s.onHand };
          if (before && before.sourceUpdatedAt > s.updatedAt) {
            run.record({
              key: s.sku,
              action: 'skip',
              before: { warehouse: s.warehouse, onHand: before.onHand },
              after,
              outcome: 'skipped',
              code: 'STALE',
              message: 'The hub holds a newer level',
            });
            continue;
          }
          if (before && before.onHand === s.onHand) {
            run.record({
              key: s.sku,
              action: 'skip',
              before: { warehouse: s.warehouse, onHand: before.onHand },
              outcome: 'skipped',
              code: 'UNCHANGED',
            });
            continue;
          }
          if (!run.dryRun) {
            const next = {
              sku: s.sku,
              warehouse: s.warehouse,
              onHand: s.onHand,
              sourceUpdatedAt: s.updatedAt,
            };
            await upsertHubStock(trx, ctx.integration.id, next);
            known.set(key, next);
          }
          run.record({
            key: s.sku,
            action: before ? 'update' : 'create',
            before: before ? { warehouse: s.warehouse, onHand: before.onHand } : null,
            after,
            outcome: run.dryRun ? 'dry_run' : 'ok',
          });
        }
        await run.flush(trx);
      });
      const latest = latestOf(items);
      if (!run.dryRun && run.only === null && latest) {
        watermark = await advanceWatermark(ctx.db, ctx.integration.id, 'inventory', latest);
      }
      onBatch(run.tally);
    },
  );
  return run.details(plan, { direction: 'erp-to-hub', watermark });
}

async function pushToChannel(
  ctx: HubContext<ChannelConnector>,
  plan: ResourcePlan,
  onBatch: (tally: Readonly<ResourceTally>) => void,
): Promise<ResourceDetails> {
  const run = new HubRun(ctx, 'inventory');
  const integrationId = ctx.integration.id;
  const buffer = safetyBufferOf(ctx.integration.settings);
  let afterSku: string | null = null;
  for (;;) {
    ctx.signal.throwIfAborted();
    const batch = await listStockToPush(ctx.db, integrationId, {
      afterSku,
      limit: run.batchSize,
      buffer,
      all: ctx.options.fullSync,
      ...(run.only ? { onlySkus: [...run.only] } : {}),
    });
    if (batch.length === 0) break;
    afterSku = batch[batch.length - 1]!.sku;

    const refs = await resolveRefs(ctx, run, batch, { unmapped: 'fail' });
    const levels: { sku: string; ref: ChannelRef; available: number }[] = [];
    for (const c of batch) {
      const ref = refs.get(c.sku)?.ref;
      if (ref) levels.push({ sku: c.sku, ref, available: c.available });
    }
    if (levels.length > 0) {
      const outcome = await writeBatch(
        levels.map((l) => l.sku),
        () => ctx.connector.setStock(levels, { dryRun: run.dryRun, signal: ctx.signal }),
      );
      const bySku = new Map('results' in outcome ? outcome.results.map((r) => [r.key, r]) : []);
      const rejected = new Map('rejected' in outcome ? outcome.rejected.map((r) => [r.key, r]) : []);
      const candidates = new Map(batch.map((c) => [c.sku, c]));
      for (const level of levels) {
        const c = candidates.get(level.sku)!;
        const before = c.pushedStock === null ? null : { available: c.pushedStock };
        const after = {
          available: c.available,
          onHand: c.onHand,
          reserved: c.reserved,
          safetyBuffer: buffer,
        };
        const refusal = rejected.get(level.sku);
        const result = bySku.get(level.sku);
        if (refusal) {
          run.record({
            key: level.sku,
            action: 'set',
            before,
            after,
            outcome: 'failed',
            code: refusal.code,
            message: refusal.message,
          });
        } else if (!result) {
          run.record({
            key: level.sku,
            action: 'set',
            before,
            after,
            outcome: 'failed',
            code: 'NO_RESULT',
            message: 'The connector reported nothing for this SKU',
          });
        } else if (result.status === 'failed') {
          run.record({
            key: level.sku,
            action: 'set',
            before,
            after,
            outcome: 'failed',
            code: result.code ?? 'FAILED',
            message: result.message ?? null,
          });
        } else if (run.dryRun) {
          run.record({
            key: level.sku,
            action: 'set',
            before,
            after,
            outcome: 'dry_run',
            code: result.code ?? null,
          });
        } else {
          await markStockPushed(ctx.db, integrationId, level.sku, level.available);
          run.record({
            key: level.sku,
            action: 'set',
            before,
            after,
            outcome: result.status === 'skipped' ? 'skipped' : 'ok',
            code: result.code ?? null,
          });
        }
      }
    }
    await run.flush(ctx.db);
    onBatch(run.tally);
  }
  return run.details(plan, { direction: 'hub-to-channel', watermark: undefined });
}

/** Stock of a real platform: the ERP feeds the hub's stock on hand, a channel receives what is available. */
export const hubInventorySync = defineHubSync({
  resource: 'inventory',
  source: 'erp',
  erp: importFromErp,
  channel: pushToChannel,
});
