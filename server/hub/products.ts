/**
 * Products through the hub. From an ERP: read products changed since the watermark (minus the overlap), de-duplicate
 * them, upsert the hub catalog page by page and move the watermark only once a page is committed. To a channel:
 * push the hub catalog that changed since the last push, by SKU, updating linked listings and creating missing
 * ones; a SKU found on several listings is an item error (AMBIGUOUS_SKU), never a job failure.
 */
import { advanceWatermark } from '../../db/queries/watermark.ts';
import {
  getHubProducts,
  listCatalogToPush,
  markCatalogPushed,
  upsertHubProduct,
  upsertLink,
  type CatalogCandidate,
  type HubProductRow,
} from '../../db/queries/hub.ts';
import type { ChannelConnector, ChannelRef, ErpConnector, ErpProduct } from '../connectors/platform.ts';
import type { ResourceDetails, ResourcePlan, ResourceTally } from '../handlers/resource-sync.ts';
import { createDeduper, latestOf, readPages, writeBatch, HubRun, type HubContext } from './run.ts';
import { defineHubSync } from './context.ts';
import { resolveRefs } from './links.ts';

const PRICE = /^\d{1,10}(\.\d{1,2})?$/;

function productProblem(p: ErpProduct): string | null {
  if (typeof p.sku !== 'string' || p.sku.trim() === '') return 'The product has no SKU';
  if (p.sku.length > 200) return 'The SKU is longer than 200 characters';
  if (!PRICE.test(p.price))
    return `The price ${JSON.stringify(p.price)} is not a decimal with at most 2 places`;
  if (typeof p.name !== 'string' || p.name.trim() === '') return 'The product has no name';
  return null;
}

function normalisePrice(price: string): string {
  return Number(price).toFixed(2);
}

async function importFromErp(
  ctx: HubContext<ErpConnector>,
  plan: ResourcePlan,
  onBatch: (tally: Readonly<ResourceTally>) => void,
): Promise<ResourceDetails> {
  const run = new HubRun(ctx, 'products');
  const fresh = createDeduper();
  let watermark = plan.watermark;
  await readPages(
    ctx,
    plan.since,
    (q) => ctx.connector.listProducts(q),
    async (items) => {
      const page = items.filter((p) => fresh(p.sku, p.updatedAt) && run.wants(p.sku));
      const known = await getHubProducts(ctx.db, [...new Set(page.map((p) => p.sku))]);
      await ctx.db.transaction().execute(async (trx) => {
        for (const p of page) {
          const problem = productProblem(p);
          if (problem) {
            run.record({
              key: p.sku || '(no sku)',
              action: 'update',
              after: p,
              outcome: 'failed',
              code: 'INVALID_ITEM',
              message: problem,
            });
            continue;
          }
          const next: HubProductRow = {
            sku: p.sku,
            name: p.name,
            price: normalisePrice(p.price),
            externalId: p.externalId,
            parentExternalId: p.parentExternalId,
            sourceUpdatedAt: p.updatedAt,
          };
          const before = known.get(p.sku);
          const shown = (r: HubProductRow) => ({ name: r.name, price: r.price });
          if (before && before.sourceUpdatedAt > p.updatedAt) {
            run.record({
              key: p.sku,
              action: 'skip',
              before: shown(before),
              after: shown(next),
              outcome: 'skipped',
              code: 'STALE',
              message: 'The hub holds a newer version',
            });
            continue;
          }
          if (
            before &&
            before.name === next.name &&
            Number(before.price) === Number(next.price) &&
            before.externalId === next.externalId
          ) {
            run.record({
              key: p.sku,
              action: 'skip',
              before: shown(before),
              outcome: 'skipped',
              code: 'UNCHANGED',
            });
            continue;
          }
          if (!run.dryRun) {
            await upsertHubProduct(trx, ctx.integration.id, next);
            known.set(p.sku, next);
          }
          run.record({
            key: p.sku,
            action: before ? 'update' : 'create',
            before: before ? shown(before) : null,
            after: shown(next),
            outcome: run.dryRun ? 'dry_run' : 'ok',
          });
        }
        await run.flush(trx);
      });
      // Only after the page is committed; a run limited to some items leaves the window alone.
      const latest = latestOf(items);
      if (!run.dryRun && run.only === null && latest) {
        watermark = await advanceWatermark(ctx.db, ctx.integration.id, 'products', latest);
      }
      onBatch(run.tally);
    },
  );
  return run.details(plan, { direction: 'erp-to-hub', watermark });
}

function asErpProduct(c: CatalogCandidate): ErpProduct {
  return {
    sku: c.sku,
    name: c.name,
    price: c.price,
    externalId: c.externalId ?? c.sku,
    parentExternalId: c.parentExternalId,
    updatedAt: c.sourceUpdatedAt,
  };
}

async function pushToChannel(
  ctx: HubContext<ChannelConnector>,
  plan: ResourcePlan,
  onBatch: (tally: Readonly<ResourceTally>) => void,
): Promise<ResourceDetails> {
  const run = new HubRun(ctx, 'products');
  const integrationId = ctx.integration.id;
  let afterSku: string | null = null;
  for (;;) {
    ctx.signal.throwIfAborted();
    const batch = await listCatalogToPush(ctx.db, integrationId, {
      afterSku,
      limit: run.batchSize,
      all: ctx.options.fullSync,
      ...(run.only ? { onlySkus: [...run.only] } : {}),
    });
    if (batch.length === 0) break;
    afterSku = batch[batch.length - 1]!.sku;

    const refs = await resolveRefs(ctx, run, batch);
    const writes: { product: ErpProduct; ref: ChannelRef | null; candidate: CatalogCandidate }[] = [];
    for (const c of batch) {
      const resolved = refs.get(c.sku);
      if (!resolved) continue; // ambiguous: already recorded as an item error
      writes.push({ product: asErpProduct(c), ref: resolved.ref, candidate: c });
    }
    if (writes.length > 0) {
      const outcome = await writeBatch(
        writes.map((w) => w.product.sku),
        () =>
          ctx.connector.upsertProducts(
            writes.map(({ product, ref }) => ({ product, ref })),
            { dryRun: run.dryRun, signal: ctx.signal },
          ),
      );
      const bySku = new Map('results' in outcome ? outcome.results.map((r) => [r.key, r]) : []);
      const rejected = new Map('rejected' in outcome ? outcome.rejected.map((r) => [r.key, r]) : []);
      for (const w of writes) {
        const c = w.candidate;
        const before = c.pushedName !== null ? { name: c.pushedName, price: c.pushedPrice } : null;
        const after = { name: c.name, price: c.price };
        const action = w.ref ? 'update' : 'create';
        const refusal = rejected.get(c.sku);
        const result = bySku.get(c.sku);
        if (refusal) {
          run.record({
            key: c.sku,
            action,
            before,
            after,
            outcome: 'failed',
            code: refusal.code,
            message: refusal.message,
          });
        } else if (!result) {
          run.record({
            key: c.sku,
            action,
            before,
            after,
            outcome: 'failed',
            code: 'NO_RESULT',
            message: 'The connector reported nothing for this SKU',
          });
        } else if (result.status === 'failed') {
          run.record({
            key: c.sku,
            action,
            before,
            after,
            outcome: 'failed',
            code: result.code ?? 'FAILED',
            message: result.message ?? null,
          });
        } else if (run.dryRun) {
          run.record({ key: c.sku, action, before, after, outcome: 'dry_run', code: result.code ?? null });
        } else {
          const ref = result.ref ?? w.ref;
          if (ref && (!w.ref || ref.productId !== w.ref.productId || ref.variantId !== w.ref.variantId)) {
            await upsertLink(ctx.db, integrationId, c.sku, ref);
          }
          if (ref) await markCatalogPushed(ctx.db, integrationId, c.sku, { name: c.name, price: c.price });
          run.record({
            key: c.sku,
            action: result.code === 'CREATED' ? 'create' : action,
            before,
            after: { ...after, ...(ref ? { productId: ref.productId, variantId: ref.variantId } : {}) },
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

/** Products of a real platform: the ERP feeds the hub catalog, a channel receives it. */
export const hubProductSync = defineHubSync({
  resource: 'products',
  source: 'erp',
  erp: importFromErp,
  channel: pushToChannel,
});
