/**
 * The Nuvemshop storefront as a sales channel: resolves SKUs to product/variant ids, creates and updates
 * listings, pushes absolute stock per variant (one bulk call per product) and reads orders. Every call goes
 * through the integration's shared HTTP client, which meters the store's leaky bucket (40 calls, 2 per second)
 * and refuses writes in a dry run; here a dry run answers what it would write without calling.
 */
import type { ItemResult } from '../connector.ts';
import type {
  ChannelConnector,
  ChannelRef,
  ErpProduct,
  PlatformLimits,
  PlatformWriteOptions,
} from '../platform.ts';
import type { PlatformHttp } from '../http/types.ts';
import { NUVEMSHOP_MAX_PAGE_SIZE, listNuvemshopOrders } from './orders.ts';
import { requestErrorOf } from './errors.ts';
import { productSchema, variantBulkErrorSchema } from './wire.ts';

/** Variants sent in one `PUT /products/{id}/variants`. */
export const NUVEMSHOP_MAX_BULK_VARIANTS = 50;

export const nuvemshopLimits: PlatformLimits = {
  maxPageSize: NUVEMSHOP_MAX_PAGE_SIZE,
  maxBatchWrite: NUVEMSHOP_MAX_BULK_VARIANTS,
};

type WriteResult = ItemResult & { ref?: ChannelRef };

interface VariantWrite {
  /** Index of the item in the caller's batch. */
  index: number;
  key: string;
  variantId: string;
  fields: { price?: string; stock?: number };
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function failure(key: string, err: unknown): ItemResult {
  const rejected = requestErrorOf(err);
  if (!rejected) throw err;
  return {
    key,
    status: 'failed',
    code: rejected.status === 404 ? 'NOT_FOUND' : 'REJECTED',
    message: rejected.message,
  };
}

export function createNuvemshopConnector(http: PlatformHttp): ChannelConnector {
  const api = http;

  /**
   * Writes variants of one product with `PUT /products/{id}/variants`. The platform rejects the whole call when
   * any variant is invalid and names the failing ones; those are reported and the rest sent again once.
   */
  async function writeVariants(
    productId: string,
    writes: readonly VariantWrite[],
    results: WriteResult[],
    opts: PlatformWriteOptions,
    okCode: string,
  ): Promise<void> {
    for (const batch of chunk(writes, NUVEMSHOP_MAX_BULK_VARIANTS)) {
      let pending = batch;
      for (let attempt = 0; attempt < 2 && pending.length > 0; attempt++) {
        try {
          await api.request({
            method: 'PUT',
            path: `/products/${productId}/variants`,
            body: pending.map((w) => ({ id: Number(w.variantId), ...w.fields })),
            signal: opts.signal,
          });
          for (const w of pending) results[w.index] = { key: w.key, status: 'ok', code: okCode };
          pending = [];
        } catch (err) {
          const rejected = requestErrorOf(err);
          const listed = rejected?.status === 422 ? variantBulkErrorSchema.safeParse(rejected.body) : null;
          if (!listed?.success || attempt === 1) {
            for (const w of pending) results[w.index] = failure(w.key, err);
            pending = [];
            continue;
          }
          const reasons = new Map(listed.data.failed_variants.map((f) => [f.id, f.description]));
          const stillOk: VariantWrite[] = [];
          for (const w of pending) {
            if (reasons.has(w.variantId)) {
              results[w.index] = {
                key: w.key,
                status: 'failed',
                code: 'REJECTED',
                message: reasons.get(w.variantId) ?? 'rejected by Nuvemshop',
              };
            } else stillOk.push(w);
          }
          // A 422 that names none of the variants sent cannot be split: every item fails with it.
          if (stillOk.length === pending.length) {
            for (const w of pending) results[w.index] = failure(w.key, err);
            pending = [];
          } else pending = stillOk;
        }
      }
    }
  }

  /** Groups writes by product, marking a repeated key (the earlier ones) as skipped duplicates. */
  function groupByProduct(
    entries: readonly { key: string; ref: ChannelRef; index: number; fields: VariantWrite['fields'] }[],
    results: WriteResult[],
  ): Map<string, VariantWrite[]> {
    const lastIndex = new Map<string, number>();
    for (const e of entries) lastIndex.set(`${e.ref.productId}/${e.ref.variantId}`, e.index);
    const groups = new Map<string, VariantWrite[]>();
    for (const e of entries) {
      if (lastIndex.get(`${e.ref.productId}/${e.ref.variantId}`) !== e.index) {
        results[e.index] = {
          key: e.key,
          status: 'skipped',
          code: 'DUPLICATE',
          message: 'a later item sets the same variant',
        };
        continue;
      }
      const group = groups.get(e.ref.productId) ?? [];
      group.push({ index: e.index, key: e.key, variantId: e.ref.variantId!, fields: e.fields });
      groups.set(e.ref.productId, group);
    }
    return groups;
  }

  return {
    role: 'channel',
    platform: 'NUVEMSHOP',
    limits: nuvemshopLimits,

    async checkAuth(signal) {
      await api.request({ method: 'GET', path: '/store', signal });
    },

    async resolveSkus(skus, signal) {
      const refs = new Map<string, ChannelRef[]>();
      for (const sku of new Set(skus)) {
        try {
          const response = await api.request<unknown>({
            method: 'GET',
            path: `/products/sku/${encodeURIComponent(sku)}`,
            signal,
          });
          const products = Array.isArray(response.body) ? response.body : [response.body];
          const found: ChannelRef[] = [];
          for (const raw of products) {
            const product = productSchema.parse(raw);
            for (const v of product.variants) {
              if (v.sku?.trim() === sku) found.push({ productId: product.id, variantId: v.id });
            }
          }
          refs.set(sku, found);
        } catch (err) {
          if (requestErrorOf(err)?.status !== 404) throw err;
          refs.set(sku, []);
        }
      }
      return refs;
    },

    async upsertProducts(items, opts) {
      const results: WriteResult[] = new Array(items.length);
      const linked: { key: string; ref: ChannelRef; index: number; fields: VariantWrite['fields'] }[] = [];
      const renames = new Map<string, { product: ErpProduct; indexes: number[] }>();
      for (const [index, { product, ref }] of items.entries()) {
        if (ref && ref.variantId === null) {
          results[index] = {
            key: product.sku,
            status: 'failed',
            code: 'MISSING_VARIANT',
            message: 'the link names a product but not its variant',
          };
        } else if (ref) {
          linked.push({ key: product.sku, ref, index, fields: { price: product.price } });
          // A variation's name belongs to its parent, which the ERP does not send: only simple products are renamed.
          if (product.parentExternalId === null) {
            renames.set(ref.productId, {
              product,
              indexes: [...(renames.get(ref.productId)?.indexes ?? []), index],
            });
          }
        }
      }

      if (opts.dryRun) {
        for (const [index, { product, ref }] of items.entries()) {
          results[index] ??= {
            key: product.sku,
            status: 'skipped',
            code: 'DRY_RUN',
            message: ref ? 'would update the listing' : 'would create a listing',
          };
        }
        return results;
      }

      for (const [productId, writes] of groupByProduct(linked, results)) {
        await writeVariants(productId, writes, results, opts, 'UPDATED');
      }
      for (const [productId, { product, indexes }] of renames) {
        if (indexes.every((i) => results[i]?.status !== 'ok')) continue;
        try {
          await api.request({
            method: 'PUT',
            path: `/products/${productId}`,
            body: { name: { pt: product.name } },
            signal: opts.signal,
          });
        } catch (err) {
          for (const i of indexes) results[i] = failure(items[i]!.product.sku, err);
        }
      }

      for (const [index, { product, ref }] of items.entries()) {
        if (ref) continue;
        try {
          const response = await api.request<unknown>({
            method: 'POST',
            path: '/products',
            body: {
              name: { pt: product.name },
              variants: [{ sku: product.sku, price: product.price }],
            },
            signal: opts.signal,
          });
          const created = productSchema.parse(response.body);
          const variant = created.variants.find((v) => v.sku === product.sku) ?? created.variants[0];
          results[index] = {
            key: product.sku,
            status: 'ok',
            code: 'CREATED',
            ref: { productId: created.id, variantId: variant?.id ?? null },
          };
        } catch (err) {
          results[index] = failure(product.sku, err);
        }
      }
      return results;
    },

    async setStock(levels, opts) {
      const results: WriteResult[] = new Array(levels.length);
      const entries: { key: string; ref: ChannelRef; index: number; fields: VariantWrite['fields'] }[] = [];
      for (const [index, level] of levels.entries()) {
        if (level.ref.variantId === null) {
          results[index] = {
            key: level.sku,
            status: 'failed',
            code: 'MISSING_VARIANT',
            message: 'the link names a product but not its variant',
          };
          continue;
        }
        // The hub already held back the safety buffer: this is the absolute value to show.
        const stock = Math.max(0, Math.floor(level.available));
        entries.push({ key: level.sku, ref: level.ref, index, fields: { stock } });
      }
      const groups = groupByProduct(entries, results);
      if (opts.dryRun) {
        for (const writes of groups.values()) {
          for (const w of writes) {
            results[w.index] = {
              key: w.key,
              status: 'skipped',
              code: 'DRY_RUN',
              message: `would set stock to ${w.fields.stock}`,
            };
          }
        }
        return results;
      }
      for (const [productId, writes] of groups) {
        await writeVariants(productId, writes, results, opts, 'UPDATED');
      }
      return results;
    },

    listOrders(q) {
      return listNuvemshopOrders(api, q);
    },
  };
}
