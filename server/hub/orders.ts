/**
 * Orders through the hub. From a channel: read orders changed since the watermark (minus the overlap) and upsert
 * them by (integration, external order id), so retries, re-runs and duplicate pages never make a second order; a
 * paid or shipped order reserves its stock once, a cancelled one releases it. To an ERP: export the hub's paid and
 * shipped orders it does not have yet (the ERP call is idempotent on the channel's order number) and keep its id.
 */
import {
  getHubOrders,
  listOrdersToExport,
  listPackToExport,
  markOrderExported,
  releaseOrderStock,
  reserveOrderStock,
  upsertHubOrder,
  type HubOrderInput,
} from '../../db/queries/hub.ts';
import { advanceWatermark } from '../../db/queries/watermark.ts';
import type { HubOrder } from '../../db/types.ts';
import { PlatformRequestError } from '../connectors/http/errors.ts';
import {
  ORDER_STATUSES,
  REAL_PLATFORMS,
  type ChannelConnector,
  type ChannelOrder,
  type ErpConnector,
  type OrderForErp,
  type RealPlatform,
} from '../connectors/platform.ts';
import type { ResourceDetails, ResourcePlan, ResourceTally } from '../handlers/resource-sync.ts';
import { defineHubSync } from './context.ts';
import { createDeduper, latestOf, readPages, HubRun, type HubContext } from './run.ts';

const HOLDS_STOCK = new Set(['PAID', 'SHIPPED']);
const PRICE = /^-?\d{1,10}(\.\d{1,2})?$/;

function orderProblem(o: ChannelOrder): string | null {
  if (typeof o.externalId !== 'string' || o.externalId.trim() === '') return 'The order has no id';
  if (!(ORDER_STATUSES as readonly string[]).includes(o.status))
    return `Unknown order status ${String(o.status)}`;
  if (!PRICE.test(o.total)) return `The total ${JSON.stringify(o.total)} is not a decimal`;
  for (const line of o.lines) {
    if (!line.sku) return 'A line of the order has no SKU';
    if (!Number.isInteger(line.quantity) || line.quantity < 0) return `Line ${line.sku} has a bad quantity`;
  }
  return null;
}

/** Sums decimal money strings exactly (in cents). */
function sumMoney(values: readonly string[]): string {
  const cents = values.reduce((sum, v) => sum + Math.round(Number(v) * 100), 0);
  return (cents / 100).toFixed(2);
}

function summary(o: { status: string; total: string; packId?: string | null; pack_id?: string | null }) {
  return { status: o.status, total: Number(o.total).toFixed(2), packId: o.packId ?? o.pack_id ?? null };
}

async function importFromChannel(
  ctx: HubContext<ChannelConnector>,
  plan: ResourcePlan,
  onBatch: (tally: Readonly<ResourceTally>) => void,
): Promise<ResourceDetails> {
  const run = new HubRun(ctx, 'orders');
  const fresh = createDeduper();
  const integrationId = ctx.integration.id;
  let watermark = plan.watermark;
  await readPages(
    ctx,
    plan.since,
    (q) => ctx.connector.listOrders(q),
    async (items) => {
      const page = items.filter((o) => fresh(o.externalId, o.updatedAt) && run.wants(o.externalId));
      await ctx.db.transaction().execute(async (trx) => {
        const known = await getHubOrders(trx, integrationId, [...new Set(page.map((o) => o.externalId))]);
        for (const o of page) {
          const problem = orderProblem(o);
          if (problem) {
            run.record({
              key: o.externalId || '(no id)',
              action: 'import',
              after: o,
              outcome: 'failed',
              code: 'INVALID_ITEM',
              message: problem,
            });
            continue;
          }
          const before: HubOrder | undefined = known.get(o.externalId);
          const after = summary(o);
          if (before && before.source_updated_at > o.updatedAt) {
            run.record({
              key: o.externalId,
              action: 'skip',
              before: summary(before),
              after,
              outcome: 'skipped',
              code: 'STALE',
              message: 'The hub holds a newer version',
            });
            continue;
          }
          if (
            before &&
            before.source_updated_at.getTime() === o.updatedAt.getTime() &&
            before.status === o.status
          ) {
            run.record({
              key: o.externalId,
              action: 'skip',
              before: summary(before),
              outcome: 'skipped',
              code: 'DUPLICATE',
            });
            continue;
          }
          const input: HubOrderInput = {
            externalId: o.externalId,
            packId: o.packId,
            status: o.status,
            total: Number(o.total).toFixed(2),
            lines: o.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, unitPrice: l.unitPrice })),
            placedAt: o.createdAt,
            updatedAt: o.updatedAt,
          };
          const outcome = run.dryRun ? 'dry_run' : 'ok';
          const orderId = run.dryRun ? before?.id : await upsertHubOrder(trx, integrationId, input);
          if (orderId && !run.dryRun) {
            const now = new Date();
            known.set(o.externalId, {
              id: orderId,
              integration_id: integrationId,
              external_id: o.externalId,
              pack_id: input.packId,
              status: input.status,
              total: input.total,
              lines: input.lines,
              placed_at: input.placedAt,
              source_updated_at: input.updatedAt,
              erp_integration_id: before?.erp_integration_id ?? null,
              erp_id: before?.erp_id ?? null,
              exported_at: before?.exported_at ?? null,
              imported_at: before?.imported_at ?? now,
              updated_at: now,
            });
          }
          run.record({
            key: o.externalId,
            action: before ? 'update' : 'import',
            before: before ? summary(before) : null,
            after,
            outcome,
          });

          if (HOLDS_STOCK.has(o.status)) {
            const reserved = orderId && !run.dryRun ? await reserveOrderStock(trx, orderId, input.lines) : 0;
            const wouldReserve = run.dryRun && !(before && HOLDS_STOCK.has(before.status));
            if (reserved > 0 || wouldReserve) {
              run.record({
                key: o.externalId,
                action: 'reserve',
                after: { lines: input.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })) },
                outcome,
                counted: false,
              });
            }
          } else if (o.status === 'CANCELLED') {
            const released = orderId && !run.dryRun ? await releaseOrderStock(trx, orderId) : 0;
            const wouldRelease = run.dryRun && before !== undefined && HOLDS_STOCK.has(before.status);
            if (released > 0 || wouldRelease) {
              run.record({
                key: o.externalId,
                action: 'release',
                before: { lines: before?.lines ?? input.lines },
                outcome,
                counted: false,
              });
            }
          }
        }
        await run.flush(trx);
      });
      const latest = latestOf(items);
      if (!run.dryRun && run.only === null && latest) {
        watermark = await advanceWatermark(ctx.db, integrationId, 'orders', latest);
      }
      onBatch(run.tally);
    },
  );
  return run.details(plan, { direction: 'channel-to-hub', watermark });
}

function channelOf(platform: string): RealPlatform | null {
  return (REAL_PLATFORMS as readonly string[]).includes(platform) ? (platform as RealPlatform) : null;
}

async function exportToErp(
  ctx: HubContext<ErpConnector>,
  plan: ResourcePlan,
  onBatch: (tally: Readonly<ResourceTally>) => void,
): Promise<ResourceDetails> {
  const run = new HubRun(ctx, 'orders');
  /** Hub orders already sent in this run (the members of a pack are sent with its first order). */
  const handled = new Set<string>();
  let after: { importedAt: Date; id: string } | null = null;
  for (;;) {
    ctx.signal.throwIfAborted();
    const batch = await listOrdersToExport(ctx.db, {
      after,
      limit: run.batchSize,
      ...(run.only ? { onlyKeys: [...run.only] } : {}),
    });
    if (batch.length === 0) break;
    const last = batch[batch.length - 1]!.order;
    after = { importedAt: last.imported_at, id: last.id };

    for (const { order, channel } of batch) {
      ctx.signal.throwIfAborted();
      if (handled.has(order.id)) continue;
      // A cart purchase (one pack, several channel orders) becomes one ERP order numbered by the pack.
      const members = order.pack_id
        ? await listPackToExport(ctx.db, { integrationId: order.integration_id, packId: order.pack_id })
        : [order];
      if (!members.some((m) => m.id === order.id)) members.push(order);
      for (const m of members) handled.add(m.id);
      const keys = members.map((m) => m.external_id);
      const shown = { ...summary(order), channel, ...(order.pack_id ? { packOrders: keys } : {}) };
      const recordAll = (entry: Omit<Parameters<typeof run.record>[0], 'key'>) => {
        for (const key of keys) run.record({ key, ...entry });
      };
      const platform = channelOf(channel);
      if (!platform) {
        recordAll({
          action: 'export',
          after: shown,
          outcome: 'failed',
          code: 'UNSUPPORTED_CHANNEL',
          message: `Orders from ${channel} cannot be exported`,
        });
        continue;
      }
      const forErp: OrderForErp = {
        externalId: order.pack_id ?? order.external_id,
        packId: order.pack_id,
        status: order.status,
        total: sumMoney(members.map((m) => m.total)),
        lines: members.flatMap((m) => m.lines),
        createdAt: members.reduce((a, m) => (m.placed_at < a ? m.placed_at : a), order.placed_at),
        updatedAt: members.reduce(
          (a, m) => (m.source_updated_at > a ? m.source_updated_at : a),
          order.source_updated_at,
        ),
        channel: platform,
      };
      let result: Awaited<ReturnType<ErpConnector['importOrder']>>;
      try {
        result = await ctx.connector.importOrder(forErp, { dryRun: run.dryRun, signal: ctx.signal });
      } catch (err) {
        if (!(err instanceof PlatformRequestError)) throw err;
        recordAll({
          action: 'export',
          after: shown,
          outcome: 'failed',
          code: err.code,
          message: err.message,
        });
        continue;
      }
      if (result.status === 'failed') {
        recordAll({
          action: 'export',
          after: shown,
          outcome: 'failed',
          code: result.code ?? 'FAILED',
          message: result.message ?? null,
        });
      } else if (run.dryRun) {
        recordAll({ action: 'export', after: shown, outcome: 'dry_run', code: result.code ?? null });
      } else {
        for (const m of members) {
          await markOrderExported(ctx.db, m.id, {
            integrationId: ctx.integration.id,
            erpId: result.erpId ?? null,
          });
        }
        recordAll({
          action: 'export',
          after: { ...shown, erpId: result.erpId ?? null },
          outcome: result.status === 'skipped' ? 'skipped' : 'ok',
          code: result.code ?? null,
        });
      }
    }
    await run.flush(ctx.db);
    onBatch(run.tally);
  }
  return run.details(plan, { direction: 'hub-to-erp', watermark: undefined });
}

/** Orders of a real platform: a channel's are imported into the hub, an ERP receives them. */
export const hubOrderSync = defineHubSync({
  resource: 'orders',
  source: 'channel',
  erp: exportToErp,
  channel: importFromChannel,
});
