/**
 * Mercado Livre as a sales channel. SKUs live in the SELLER_SKU attribute of an item or of each of its
 * variations, so a SKU resolves by the seller's item search (ids only) and a multiget of those ids. Prices and
 * stock are set per item (`PUT /items/{id}`), with every variation of one item in one call; new SKUs become new
 * listings (`POST /items`). The search index lags behind writes, which is why a created listing's ref is returned
 * straight from the create. Every call goes through the integration's shared HTTP client (rate limit, retries,
 * single-flight OAuth refresh, dry-run guard); a dry run answers what it would write without calling.
 */
import type { ItemResult } from '../connector.ts';
import type { ChannelConnector, ChannelRef, PlatformLimits, PlatformWriteOptions } from '../platform.ts';
import { PlatformAuthError } from '../http/errors.ts';
import type { PlatformHttp } from '../http/types.ts';
import { failure, requestErrorOf } from './errors.ts';
import { listMercadoLivreOrders } from './orders.ts';
import type { MercadoLivreSettings } from './settings.ts';
import {
  createdItemSchema,
  itemSchema,
  itemSearchSchema,
  multigetSchema,
  sellerSkuOf,
  userSchema,
  type WireItem,
} from './wire.ts';

/** Ids one multiget (`GET /items?ids=`) accepts. */
export const ML_MULTIGET_MAX_IDS = 20;
/** Largest page of the seller's item search. */
export const ML_ITEMS_SEARCH_MAX_LIMIT = 100;
/** offset + limit beyond which the item search needs `search_type=scan`. */
export const ML_ITEMS_SEARCH_MAX_OFFSET = 1000;
/** Longest listing title. */
export const ML_TITLE_MAX = 60;

export const mercadoLivreLimits: PlatformLimits = {
  maxPageSize: 50,
  // No batch write exists: each item is one PUT. A batch of 20 resolves with one multiget.
  maxBatchWrite: ML_MULTIGET_MAX_IDS,
};

type WriteResult = ItemResult & { ref?: ChannelRef };

interface Write {
  /** Index of the entry in the caller's batch. */
  index: number;
  key: string;
  ref: ChannelRef;
  title?: string;
  price?: number;
  quantity?: number;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function describe(w: Write): string {
  const parts: string[] = [];
  if (w.title !== undefined) parts.push(`title "${w.title}"`);
  if (w.price !== undefined) parts.push(`price ${w.price.toFixed(2)}`);
  if (w.quantity !== undefined) parts.push(`available_quantity ${w.quantity}`);
  const target = w.ref.variantId ? `${w.ref.productId} variation ${w.ref.variantId}` : w.ref.productId;
  return `would set ${parts.join(', ')} on ${target}`;
}

/** A positive price with at most cents, as ML wants it (a number), or null. */
function priceOf(text: string): number | null {
  const n = Number(text);
  return Number.isFinite(n) && n > 0 ? Math.round(n * 100) / 100 : null;
}

export function createMercadoLivreConnector(
  http: PlatformHttp,
  settings: MercadoLivreSettings,
): ChannelConnector {
  const sellerId = settings.sellerId;

  /** Item ids of the seller matching `filter`, by offset up to the cap and by scan beyond it. */
  async function searchItemIds(filter: Record<string, string>, signal: AbortSignal): Promise<string[]> {
    const path = `/users/${sellerId}/items/search`;
    const ids: string[] = [];
    let offset = 0;
    while (offset < ML_ITEMS_SEARCH_MAX_OFFSET) {
      const limit = Math.min(ML_ITEMS_SEARCH_MAX_LIMIT, ML_ITEMS_SEARCH_MAX_OFFSET - offset);
      const response = await http.request<unknown>({
        method: 'GET',
        path,
        query: { ...filter, offset, limit },
        signal,
      });
      const page = itemSearchSchema.parse(response.body);
      ids.push(...page.results);
      offset += page.results.length;
      if (page.results.length < limit || offset >= (page.paging?.total ?? 0)) return ids;
    }
    // Past the offset cap only a scan reaches; it starts over and is followed to its end.
    const all = new Set<string>();
    let scrollId: string | undefined;
    for (;;) {
      const response = await http.request<unknown>({
        method: 'GET',
        path,
        query: {
          ...filter,
          search_type: 'scan',
          limit: ML_ITEMS_SEARCH_MAX_LIMIT,
          ...(scrollId ? { scroll_id: scrollId } : {}),
        },
        signal,
      });
      const page = itemSearchSchema.parse(response.body);
      if (page.results.length === 0) return [...all];
      for (const id of page.results) all.add(id);
      if (!page.scroll_id) return [...all];
      scrollId = page.scroll_id;
    }
  }

  /** Items by id through multiget, 20 ids a call; ids the platform does not know are left out. */
  async function multiget(ids: readonly string[], signal: AbortSignal): Promise<Map<string, WireItem>> {
    const items = new Map<string, WireItem>();
    for (const batch of chunk([...new Set(ids)], ML_MULTIGET_MAX_IDS)) {
      const response = await http.request<unknown>({
        method: 'GET',
        path: '/items',
        query: { ids: batch.join(','), attributes: 'id,status,attributes,variations' },
        signal,
      });
      for (const entry of multigetSchema.parse(response.body)) {
        if (entry.code !== 200) continue;
        const item = itemSchema.parse(entry.body);
        items.set(item.id, item);
      }
    }
    return items;
  }

  async function put(productId: string, body: Record<string, unknown>, signal: AbortSignal): Promise<void> {
    await http.request({ method: 'PUT', path: `/items/${productId}`, body, signal });
  }

  /**
   * Sends the writes of one item: item-level fields one PUT each, every variation in one PUT. A refused
   * variations PUT is sent again one variation at a time, so one bad variation fails only its own SKU.
   */
  async function writeItem(
    productId: string,
    writes: readonly Write[],
    results: WriteResult[],
    opts: PlatformWriteOptions,
  ): Promise<void> {
    const ok = (w: Write) => (results[w.index] = { key: w.key, status: 'ok', code: 'UPDATED' });
    for (const w of writes.filter((x) => x.ref.variantId === null)) {
      try {
        await put(
          productId,
          {
            ...(w.title !== undefined ? { title: w.title } : {}),
            ...(w.price !== undefined ? { price: w.price } : {}),
            ...(w.quantity !== undefined ? { available_quantity: w.quantity } : {}),
          },
          opts.signal,
        );
        ok(w);
      } catch (err) {
        results[w.index] = failure(w.key, err);
      }
    }
    const variations = writes.filter((x) => x.ref.variantId !== null);
    const variationBody = (w: Write) => ({
      id: Number(w.ref.variantId),
      ...(w.price !== undefined ? { price: w.price } : {}),
      ...(w.quantity !== undefined ? { available_quantity: w.quantity } : {}),
    });
    if (variations.length === 0) return;
    try {
      await put(productId, { variations: variations.map(variationBody) }, opts.signal);
      variations.forEach(ok);
      return;
    } catch (err) {
      if (variations.length === 1 || requestErrorOf(err)?.status !== 400) {
        for (const w of variations) results[w.index] = failure(w.key, err);
        return;
      }
    }
    for (const w of variations) {
      try {
        await put(productId, { variations: [variationBody(w)] }, opts.signal);
        ok(w);
      } catch (err) {
        results[w.index] = failure(w.key, err);
      }
    }
  }

  /** Groups writes by item; when two entries target the same listing, the later one wins. */
  function groupByItem(writes: readonly Write[], results: WriteResult[]): Map<string, Write[]> {
    const target = (w: Write) => `${w.ref.productId}/${w.ref.variantId ?? ''}`;
    const last = new Map<string, number>();
    for (const w of writes) last.set(target(w), w.index);
    const groups = new Map<string, Write[]>();
    for (const w of writes) {
      if (last.get(target(w)) !== w.index) {
        results[w.index] = {
          key: w.key,
          status: 'skipped',
          code: 'DUPLICATE',
          message: 'a later item sets the same listing',
        };
        continue;
      }
      groups.set(w.ref.productId, [...(groups.get(w.ref.productId) ?? []), w]);
    }
    return groups;
  }

  async function writeAll(
    writes: readonly Write[],
    results: WriteResult[],
    opts: PlatformWriteOptions,
  ): Promise<void> {
    const groups = groupByItem(writes, results);
    if (opts.dryRun) {
      for (const w of [...groups.values()].flat()) {
        results[w.index] = { key: w.key, status: 'skipped', code: 'DRY_RUN', message: describe(w) };
      }
      return;
    }
    for (const [productId, group] of groups) await writeItem(productId, group, results, opts);
  }

  return {
    role: 'channel',
    platform: 'MERCADO_LIVRE',
    limits: mercadoLivreLimits,

    async checkAuth(signal) {
      const response = await http.request<unknown>({ method: 'GET', path: '/users/me', signal });
      const me = userSchema.parse(response.body);
      if (me.id !== sellerId) {
        throw new PlatformAuthError(
          `The tokens belong to Mercado Livre user ${me.id}, not to seller ${sellerId}; reconnect the integration`,
        );
      }
    },

    async resolveSkus(skus, signal) {
      const idsBySku = new Map<string, string[]>();
      for (const sku of new Set(skus.map((s) => s.trim()).filter(Boolean))) {
        idsBySku.set(sku, await searchItemIds({ seller_sku: sku }, signal));
      }
      const items = await multiget([...idsBySku.values()].flat(), signal);
      const refs = new Map<string, ChannelRef[]>();
      for (const raw of skus) {
        const sku = raw.trim();
        const found: ChannelRef[] = [];
        for (const id of idsBySku.get(sku) ?? []) {
          const item = items.get(id);
          // A closed listing can never be changed again: it is not a place for the SKU.
          if (!item || item.status === 'closed') continue;
          const variations = (item.variations ?? []).filter((v) => sellerSkuOf(v.attributes) === sku);
          for (const v of variations) found.push({ productId: item.id, variantId: v.id });
          if (variations.length === 0 && sellerSkuOf(item.attributes) === sku) {
            found.push({ productId: item.id, variantId: null });
          }
        }
        refs.set(raw, found);
      }
      return refs;
    },

    async upsertProducts(items, opts) {
      const results: WriteResult[] = new Array(items.length);
      const writes: Write[] = [];
      const creates: { index: number; sku: string; title: string; price: number }[] = [];
      for (const [index, { product, ref }] of items.entries()) {
        const price = priceOf(product.price);
        if (price === null) {
          results[index] = {
            key: product.sku,
            status: 'failed',
            code: 'INVALID_PRICE',
            message: `price ${product.price} is not a positive amount`,
          };
          continue;
        }
        const title = product.name.trim().slice(0, ML_TITLE_MAX);
        if (ref) {
          // A variation's name is its parent's: only a listing without variations takes the SKU's name.
          writes.push({
            index,
            key: product.sku,
            ref,
            price,
            ...(ref.variantId === null && title ? { title } : {}),
          });
        } else if (!settings.categoryId) {
          results[index] = {
            key: product.sku,
            status: 'failed',
            code: 'CATEGORY_REQUIRED',
            message: 'no listing has this SKU, and the integration has no categoryId to create one in',
          };
        } else if (!title) {
          results[index] = {
            key: product.sku,
            status: 'failed',
            code: 'INVALID_TITLE',
            message: 'empty name',
          };
        } else creates.push({ index, sku: product.sku, title, price });
      }

      await writeAll(writes, results, opts);

      for (const c of creates) {
        if (opts.dryRun) {
          results[c.index] = {
            key: c.sku,
            status: 'skipped',
            code: 'DRY_RUN',
            message: `would create a listing "${c.title}" at ${c.price.toFixed(2)}`,
          };
          continue;
        }
        try {
          const response = await http.request<unknown>({
            method: 'POST',
            path: '/items',
            body: {
              title: c.title,
              category_id: settings.categoryId,
              price: c.price,
              currency_id: 'BRL',
              // Stock arrives with the next inventory push; a listing is never born with invented units.
              available_quantity: 0,
              buying_mode: 'buy_it_now',
              listing_type_id: settings.listingTypeId,
              condition: settings.condition,
              attributes: [{ id: 'SELLER_SKU', value_name: c.sku }],
            },
            signal: opts.signal,
          });
          const created = createdItemSchema.parse(response.body);
          results[c.index] = {
            key: c.sku,
            status: 'ok',
            code: 'CREATED',
            ref: { productId: created.id, variantId: null },
          };
        } catch (err) {
          results[c.index] = failure(c.sku, err);
        }
      }
      return results;
    },

    async setStock(levels, opts) {
      const results: WriteResult[] = new Array(levels.length);
      const writes: Write[] = levels.map((level, index) => ({
        index,
        key: level.sku,
        ref: level.ref,
        // The hub already held back the safety buffer: this is the absolute value to show.
        quantity: Math.max(0, Math.floor(level.available)),
      }));
      await writeAll(writes, results, opts);
      return results;
    },

    listOrders(q) {
      return listMercadoLivreOrders(http, sellerId, q);
    },
  };
}
