/**
 * The hub between real platforms: the catalog and stock by SKU (fed by the ERP), orders imported from channels and
 * the stock they reserve, and the links from each channel's listings to hub SKUs with what was last pushed there.
 */
import { sql, type Transaction } from 'kysely';
import type { Database } from '../database.ts';
import type { DB, HubLink, HubOrder, HubOrderLine, HubOrderStatus, Platform } from '../types.ts';

type Db = Database | Transaction<DB>;

export interface HubProductRow {
  sku: string;
  name: string;
  price: string;
  externalId: string | null;
  parentExternalId: string | null;
  sourceUpdatedAt: Date;
}

export async function getHubProducts(db: Db, skus: readonly string[]): Promise<Map<string, HubProductRow>> {
  if (skus.length === 0) return new Map();
  const rows = await db.selectFrom('hub_products').selectAll().where('sku', 'in', skus).execute();
  return new Map(
    rows.map((r) => [
      r.sku,
      {
        sku: r.sku,
        name: r.name,
        price: r.price,
        externalId: r.external_id,
        parentExternalId: r.parent_external_id,
        sourceUpdatedAt: r.source_updated_at,
      },
    ]),
  );
}

export async function upsertHubProduct(db: Db, sourceIntegrationId: string, p: HubProductRow): Promise<void> {
  const values = {
    name: p.name,
    price: p.price,
    source_integration_id: sourceIntegrationId,
    external_id: p.externalId,
    parent_external_id: p.parentExternalId,
    source_updated_at: p.sourceUpdatedAt,
  };
  await db
    .insertInto('hub_products')
    .values({ sku: p.sku, ...values })
    .onConflict((oc) => oc.column('sku').doUpdateSet({ ...values, updated_at: sql<Date>`now()` }))
    .execute();
}

export interface HubStockRow {
  sku: string;
  warehouse: string;
  onHand: number;
  sourceUpdatedAt: Date;
}

function stockKey(sku: string, warehouse: string): string {
  return JSON.stringify([sku, warehouse]);
}

export async function getHubStock(
  db: Db,
  keys: readonly { sku: string; warehouse: string }[],
): Promise<Map<string, HubStockRow>> {
  if (keys.length === 0) return new Map();
  const rows = await db
    .selectFrom('hub_stock')
    .selectAll()
    .where(
      'sku',
      'in',
      keys.map((k) => k.sku),
    )
    .execute();
  const wanted = new Set(keys.map((k) => stockKey(k.sku, k.warehouse)));
  const found = new Map<string, HubStockRow>();
  for (const r of rows) {
    const key = stockKey(r.sku, r.warehouse);
    if (wanted.has(key))
      found.set(key, {
        sku: r.sku,
        warehouse: r.warehouse,
        onHand: r.on_hand,
        sourceUpdatedAt: r.source_updated_at,
      });
  }
  return found;
}

export function hubStockKey(sku: string, warehouse: string): string {
  return stockKey(sku, warehouse);
}

export async function upsertHubStock(db: Db, sourceIntegrationId: string, s: HubStockRow): Promise<void> {
  const values = {
    on_hand: s.onHand,
    source_integration_id: sourceIntegrationId,
    source_updated_at: s.sourceUpdatedAt,
  };
  await db
    .insertInto('hub_stock')
    .values({ sku: s.sku, warehouse: s.warehouse, ...values })
    .onConflict((oc) =>
      oc.columns(['sku', 'warehouse']).doUpdateSet({ ...values, updated_at: sql<Date>`now()` }),
    )
    .execute();
}

export async function getLinks(
  db: Db,
  integrationId: string,
  skus: readonly string[],
): Promise<Map<string, HubLink>> {
  if (skus.length === 0) return new Map();
  const rows = await db
    .selectFrom('hub_links')
    .selectAll()
    .where('integration_id', '=', integrationId)
    .where('sku', 'in', skus)
    .execute();
  return new Map(rows.map((r) => [r.sku, r]));
}

/** Links a SKU to a channel listing (or moves the link to another listing, forgetting what was pushed to the old). */
export async function upsertLink(
  db: Db,
  integrationId: string,
  sku: string,
  ref: { productId: string; variantId: string | null },
): Promise<void> {
  await db
    .insertInto('hub_links')
    .values({ integration_id: integrationId, sku, product_id: ref.productId, variant_id: ref.variantId })
    .onConflict((oc) =>
      oc.columns(['integration_id', 'sku']).doUpdateSet({
        product_id: ref.productId,
        variant_id: ref.variantId,
        pushed_name: sql<string | null>`CASE WHEN hub_links.product_id = ${ref.productId}
          AND hub_links.variant_id IS NOT DISTINCT FROM ${ref.variantId} THEN hub_links.pushed_name END`,
        pushed_price: sql<string | null>`CASE WHEN hub_links.product_id = ${ref.productId}
          AND hub_links.variant_id IS NOT DISTINCT FROM ${ref.variantId} THEN hub_links.pushed_price END`,
        pushed_stock: sql<number | null>`CASE WHEN hub_links.product_id = ${ref.productId}
          AND hub_links.variant_id IS NOT DISTINCT FROM ${ref.variantId} THEN hub_links.pushed_stock END`,
      }),
    )
    .execute();
}

export async function markCatalogPushed(
  db: Db,
  integrationId: string,
  sku: string,
  pushed: { name: string; price: string },
): Promise<void> {
  await db
    .updateTable('hub_links')
    .set({ pushed_name: pushed.name, pushed_price: pushed.price, catalog_pushed_at: sql<Date>`now()` })
    .where('integration_id', '=', integrationId)
    .where('sku', '=', sku)
    .execute();
}

export async function markStockPushed(
  db: Db,
  integrationId: string,
  sku: string,
  available: number,
): Promise<void> {
  await db
    .updateTable('hub_links')
    .set({ pushed_stock: available, stock_pushed_at: sql<Date>`now()` })
    .where('integration_id', '=', integrationId)
    .where('sku', '=', sku)
    .execute();
}

export interface CatalogCandidate {
  sku: string;
  name: string;
  price: string;
  externalId: string | null;
  parentExternalId: string | null;
  sourceUpdatedAt: Date;
  link: { productId: string; variantId: string | null } | null;
  pushedName: string | null;
  pushedPrice: string | null;
}

/**
 * Hub products to push to a channel, by SKU after `afterSku`: those never pushed or changed since the last push
 * (all of them when `all`), optionally only the SKUs given.
 */
export async function listCatalogToPush(
  db: Db,
  integrationId: string,
  q: { afterSku: string | null; limit: number; all: boolean; onlySkus?: readonly string[] },
): Promise<CatalogCandidate[]> {
  let query = db
    .selectFrom('hub_products as p')
    .leftJoin('hub_links as l', (join) =>
      join.onRef('l.sku', '=', 'p.sku').on('l.integration_id', '=', integrationId),
    )
    .select([
      'p.sku',
      'p.name',
      'p.price',
      'p.external_id',
      'p.parent_external_id',
      'p.source_updated_at',
      'l.product_id',
      'l.variant_id',
      'l.pushed_name',
      'l.pushed_price',
    ]);
  if (q.afterSku !== null) query = query.where('p.sku', '>', q.afterSku);
  if (q.onlySkus) query = query.where('p.sku', 'in', q.onlySkus.length > 0 ? q.onlySkus : ['']);
  if (!q.all) {
    query = query.where((eb) =>
      eb.or([
        eb('l.sku', 'is', null),
        eb('l.pushed_name', 'is', null),
        sql<boolean>`l.pushed_name IS DISTINCT FROM p.name`,
        sql<boolean>`l.pushed_price IS DISTINCT FROM p.price`,
      ]),
    );
  }
  const rows = await query.orderBy('p.sku').limit(q.limit).execute();
  return rows.map((r) => ({
    sku: r.sku,
    name: r.name,
    price: r.price,
    externalId: r.external_id,
    parentExternalId: r.parent_external_id,
    sourceUpdatedAt: r.source_updated_at,
    link: r.product_id ? { productId: r.product_id, variantId: r.variant_id ?? null } : null,
    pushedName: r.pushed_name ?? null,
    pushedPrice: r.pushed_price ?? null,
  }));
}

export interface StockCandidate {
  sku: string;
  onHand: number;
  reserved: number;
  available: number;
  link: { productId: string; variantId: string | null } | null;
  pushedStock: number | null;
}

/**
 * SKUs whose available quantity for a channel — max(0, on hand − reserved − buffer) — differs from what was last
 * pushed there (all of them when `all`), by SKU after `afterSku`.
 */
export async function listStockToPush(
  db: Db,
  integrationId: string,
  q: { afterSku: string | null; limit: number; buffer: number; all: boolean; onlySkus?: readonly string[] },
): Promise<StockCandidate[]> {
  const onlySkus = q.onlySkus ? (q.onlySkus.length > 0 ? q.onlySkus : ['']) : null;
  const result = await sql<{
    sku: string;
    on_hand: number;
    reserved: number;
    available: number;
    product_id: string | null;
    variant_id: string | null;
    pushed_stock: number | null;
  }>`
    WITH skus AS (
      SELECT sku FROM hub_products UNION SELECT sku FROM hub_stock
    ), levels AS (
      SELECT s.sku,
        COALESCE((SELECT sum(on_hand) FROM hub_stock st WHERE st.sku = s.sku), 0)::integer AS on_hand,
        COALESCE((SELECT sum(quantity) FROM hub_reservations r WHERE r.sku = s.sku), 0)::integer AS reserved
      FROM skus s
      WHERE (${q.afterSku}::text IS NULL OR s.sku > ${q.afterSku})
        AND (${onlySkus === null} OR s.sku = ANY(${onlySkus ?? []}::text[]))
    )
    SELECT lv.sku, lv.on_hand, lv.reserved,
      GREATEST(0, lv.on_hand - lv.reserved - ${q.buffer}::integer)::integer AS available,
      l.product_id, l.variant_id, l.pushed_stock
    FROM levels lv
    LEFT JOIN hub_links l ON l.integration_id = ${integrationId} AND l.sku = lv.sku
    WHERE ${q.all} OR l.pushed_stock IS DISTINCT FROM GREATEST(0, lv.on_hand - lv.reserved - ${q.buffer}::integer)
    ORDER BY lv.sku
    LIMIT ${q.limit}`.execute(db);
  return result.rows.map((r) => ({
    sku: r.sku,
    onHand: r.on_hand,
    reserved: r.reserved,
    available: r.available,
    link: r.product_id ? { productId: r.product_id, variantId: r.variant_id } : null,
    pushedStock: r.pushed_stock,
  }));
}

export async function getHubOrders(
  db: Db,
  integrationId: string,
  externalIds: readonly string[],
): Promise<Map<string, HubOrder>> {
  if (externalIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('hub_orders')
    .selectAll()
    .where('integration_id', '=', integrationId)
    .where('external_id', 'in', externalIds)
    .execute();
  return new Map(rows.map((r) => [r.external_id, r]));
}

export interface HubOrderInput {
  externalId: string;
  packId: string | null;
  status: HubOrderStatus;
  total: string;
  lines: HubOrderLine[];
  placedAt: Date;
  updatedAt: Date;
}

/** Inserts or updates an order by (integration, external id); returns its hub id. */
export async function upsertHubOrder(db: Db, integrationId: string, o: HubOrderInput): Promise<string> {
  const values = {
    pack_id: o.packId,
    status: o.status,
    total: o.total,
    lines: JSON.stringify(o.lines),
    placed_at: o.placedAt,
    source_updated_at: o.updatedAt,
  };
  const row = await db
    .insertInto('hub_orders')
    .values({ integration_id: integrationId, external_id: o.externalId, ...values })
    .onConflict((oc) =>
      oc.columns(['integration_id', 'external_id']).doUpdateSet({ ...values, updated_at: sql<Date>`now()` }),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Reserves the order's lines, once: returns how many SKUs were newly reserved (0 when it already held them). */
export async function reserveOrderStock(
  db: Db,
  orderId: string,
  lines: readonly HubOrderLine[],
): Promise<number> {
  const bySku = new Map<string, number>();
  for (const line of lines)
    if (line.quantity > 0) bySku.set(line.sku, (bySku.get(line.sku) ?? 0) + line.quantity);
  if (bySku.size === 0) return 0;
  const existing = await db
    .selectFrom('hub_reservations')
    .select('sku')
    .where('order_id', '=', orderId)
    .executeTakeFirst();
  // Once per order: an order that already holds stock is not reserved again (its lines do not change once paid).
  if (existing) return 0;
  const result = await db
    .insertInto('hub_reservations')
    .values([...bySku].map(([sku, quantity]) => ({ order_id: orderId, sku, quantity })))
    .onConflict((oc) => oc.columns(['order_id', 'sku']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

/** Releases what the order holds; returns how many SKUs were released. */
export async function releaseOrderStock(db: Db, orderId: string): Promise<number> {
  const result = await db.deleteFrom('hub_reservations').where('order_id', '=', orderId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export interface OrderToExport {
  order: HubOrder;
  channel: Platform;
}

/** Orders not yet in the ERP that it should receive (paid or shipped), oldest first, after the hub id `afterId`. */
export async function listOrdersToExport(
  db: Db,
  q: { after: { importedAt: Date; id: string } | null; limit: number; onlyKeys?: readonly string[] },
): Promise<OrderToExport[]> {
  let query = db
    .selectFrom('hub_orders as o')
    .innerJoin('integrations as i', 'i.id', 'o.integration_id')
    .selectAll('o')
    .select('i.platform')
    .where('o.erp_id', 'is', null)
    .where('o.status', 'in', ['PAID', 'SHIPPED']);
  if (q.after) {
    const { importedAt, id } = q.after;
    query = query.where((eb) =>
      eb.or([
        eb('o.imported_at', '>', importedAt),
        eb.and([eb('o.imported_at', '=', importedAt), eb('o.id', '>', id)]),
      ]),
    );
  }
  if (q.onlyKeys) query = query.where('o.external_id', 'in', q.onlyKeys.length > 0 ? q.onlyKeys : ['']);
  const rows = await query.orderBy('o.imported_at').orderBy('o.id').limit(q.limit).execute();
  return rows.map(({ platform, ...order }) => ({ order, channel: platform }));
}

/**
 * The orders of one channel pack (a Mercado Livre cart purchase) that are paid and not yet in the ERP, oldest
 * first: they go to the ERP as one order.
 */
export async function listPackToExport(
  db: Db,
  q: { integrationId: string; packId: string },
): Promise<HubOrder[]> {
  return db
    .selectFrom('hub_orders')
    .selectAll()
    .where('integration_id', '=', q.integrationId)
    .where('pack_id', '=', q.packId)
    .where('erp_id', 'is', null)
    .where('status', 'in', ['PAID', 'SHIPPED'])
    .orderBy('placed_at')
    .orderBy('external_id')
    .execute();
}

export async function markOrderExported(
  db: Db,
  orderId: string,
  erp: { integrationId: string; erpId: string | null },
): Promise<void> {
  await db
    .updateTable('hub_orders')
    .set({
      erp_integration_id: erp.integrationId,
      erp_id: erp.erpId ?? '',
      exported_at: sql<Date>`now()`,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', orderId)
    .execute();
}
