/**
 * The sandbox platform's storage. Its ERP side is `sandbox_products` (one row per variant SKU), `sandbox_stock`
 * (per SKU and warehouse) and `sandbox_orders`; its storefront side is `sandbox_listings` and
 * `sandbox_imported_orders`. Reads are keyset-paginated on (updated_at, key); writes are set-based and report, per
 * key, whether the row was created, updated or already up to date.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Database } from '../database.ts';
import { executePrepared } from '../prepared.ts';

/** The part of the sandbox settings that decides how much data a seed creates. */
export interface SandboxSeedSize {
  products: number;
  variantsPerProduct: number;
  warehouses: number;
  orders: number;
}

export interface SandboxSeedCounts {
  products: number;
  stock: number;
  orders: number;
}

/**
 * A record's place in (updated_at, key) order. `updatedAt` keeps Postgres' microseconds (a JS Date would round
 * them to milliseconds and make the next page repeat or skip rows).
 */
export interface KeysetPosition {
  updatedAt: string;
  key: string;
}

export interface KeysetPageQuery {
  /** Only rows changed strictly after this instant. */
  updatedSince?: Date;
  /** Only rows after this position. */
  after?: KeysetPosition;
  limit: number;
}

export interface SandboxProductRecord {
  sku: string;
  productCode: string;
  name: string;
  price: string;
  updatedAt: Date;
  position: KeysetPosition;
}

export interface SandboxStockRecord {
  sku: string;
  /** Summed over warehouses. */
  quantity: number;
  /** The latest change in any warehouse. */
  updatedAt: Date;
  position: KeysetPosition;
}

export interface SandboxOrderRecord {
  externalId: string;
  status: string;
  total: string;
  updatedAt: Date;
  position: KeysetPosition;
}

export type WriteOutcome = 'created' | 'updated' | 'unchanged';

export interface KeyedOutcome {
  key: string;
  outcome: WriteOutcome;
}

export interface SandboxStoreStats {
  products: number;
  stockRows: number;
  orders: number;
  listings: number;
  importedOrders: number;
}

const SEED_WINDOW_SECONDS = 7 * 24 * 60 * 60;

/** `updated_at` as ISO-8601 UTC with microseconds, the text form kept in a cursor. */
function exactTimestamp(column: string): RawBuilder<string> {
  return sql<string>`to_char(${sql.ref(column)} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** `SBX-00042`: zero-padded to five digits, wider only when the number needs it. */
function productCodeSql(productNumber: RawBuilder<unknown>): RawBuilder<string> {
  return sql<string>`'SBX-' || lpad((${productNumber})::text, greatest(5, length((${productNumber})::text)), '0')`;
}

/** `SBX-00042-V2` */
function skuSql(productNumber: RawBuilder<unknown>, variantNumber: RawBuilder<unknown>): RawBuilder<string> {
  return sql<string>`${productCodeSql(productNumber)} || '-V' || (${variantNumber})`;
}

/**
 * A timestamp in the last seven days for row `index` of `count`: the rows get evenly spaced instants, shuffled by a
 * multiplicative step so the newest rows are not simply the last keys.
 */
function spreadTimestamp(index: RawBuilder<number>, count: number): RawBuilder<Date> {
  const slot = sql`((${index})::bigint * 7919 % ${Math.max(count, 1)})`;
  // Whole milliseconds, so a JS Date holds the seeded instant exactly.
  return sql<Date>`date_trunc('milliseconds', now() - make_interval(secs => (${slot} + 1) * ${SEED_WINDOW_SECONDS / Math.max(count, 1)}::float8))`;
}

/**
 * Replaces the whole sandbox of an integration (both sides, and its watermarks, which would otherwise hide the new
 * rows from incremental syncs) with generated data. One set-based statement per table, in one transaction.
 */
export async function seedSandboxStore(
  db: Database,
  integrationId: string,
  size: SandboxSeedSize,
): Promise<SandboxSeedCounts> {
  const { products, variantsPerProduct: variants, warehouses, orders } = size;
  const seed = async (trx: Database): Promise<SandboxSeedCounts> => {
    for (const table of [
      'sandbox_stock',
      'sandbox_products',
      'sandbox_orders',
      'sandbox_listings',
      'sandbox_imported_orders',
      'sync_watermarks',
    ] as const) {
      await trx.deleteFrom(table).where('integration_id', '=', integrationId).execute();
    }

    // Variants of a product share its updated_at, as they would after a merchant edits the product.
    const insertedProducts = await sql`
      INSERT INTO sandbox_products (integration_id, sku, product_code, name, price, updated_at)
      SELECT ${integrationId}::uuid,
             ${skuSql(sql`p`, sql`v`)},
             ${productCodeSql(sql`p`)},
             (ARRAY['Classic', 'Organic', 'Vintage', 'Urban', 'Premium', 'Rustic', 'Compact', 'Deluxe',
                    'Essential', 'Nordic', 'Tropical', 'Everyday'])[1 + p % 12]
               || ' ' ||
             (ARRAY['T-Shirt', 'Mug', 'Backpack', 'Sneakers', 'Notebook', 'Lamp', 'Water Bottle', 'Hoodie',
                    'Desk Chair', 'Headphones', 'Candle', 'Sunglasses', 'Blanket', 'Wallet', 'Teapot'])[1 + (p / 12) % 15]
               || ' ' ||
             (ARRAY['S', 'M', 'L', 'XL', 'XXL', 'Red', 'Blue', 'Green', 'Black', 'White'])[v],
             round(4.90 + (p::bigint * 7919 % 9500) / 100.0 + (v - 1) * 2.50, 2),
             ${spreadTimestamp(sql`p - 1`, products)}
      FROM generate_series(1, ${products}::int) AS p, generate_series(1, ${variants}::int) AS v
    `.execute(trx);

    const insertedStock = await sql`
      INSERT INTO sandbox_stock (integration_id, sku, warehouse, quantity, updated_at)
      SELECT ${integrationId}::uuid,
             ${skuSql(sql`p`, sql`v`)},
             'WH-' || w,
             (p::bigint * 37 + v * 11 + w * 101) % 250,
             ${spreadTimestamp(sql`((p - 1) * ${variants} + (v - 1)) * ${warehouses} + (w - 1)`, products * variants * warehouses)}
      FROM generate_series(1, ${products}::int) AS p,
           generate_series(1, ${variants}::int) AS v,
           generate_series(1, ${warehouses}::int) AS w
    `.execute(trx);

    // Each order buys one seeded variant, so its total matches the catalogue (an empty order when there is none).
    const insertedOrders = await sql`
      INSERT INTO sandbox_orders (integration_id, external_id, status, total, items, updated_at)
      SELECT ${integrationId}::uuid,
             'ORD-' || lpad(o::text, greatest(6, length(o::text)), '0'),
             (ARRAY['paid', 'paid', 'paid', 'pending', 'cancelled'])[1 + o % 5],
             coalesce(item.price * (1 + o % 3), 0),
             CASE WHEN item.sku IS NULL THEN jsonb_build_object('lines', '[]'::jsonb)
                  ELSE jsonb_build_object('lines', jsonb_build_array(jsonb_build_object(
                         'sku', item.sku, 'quantity', 1 + o % 3, 'unitPrice', item.price)))
             END,
             ${spreadTimestamp(sql`o - 1`, orders)}
      FROM generate_series(1, ${orders}::int) AS o
      LEFT JOIN sandbox_products AS item
        ON item.integration_id = ${integrationId}::uuid
       AND item.sku = ${skuSql(sql`o::bigint * 13 % greatest(${products}::int, 1) + 1`, sql`1 + o % ${variants}::int`)}
    `.execute(trx);

    return {
      products: Number(insertedProducts.numAffectedRows ?? 0),
      stock: Number(insertedStock.numAffectedRows ?? 0),
      orders: Number(insertedOrders.numAffectedRows ?? 0),
    };
  };
  return db.isTransaction ? seed(db) : db.transaction().execute(seed);
}

export async function getSandboxStoreStats(db: Database, integrationId: string): Promise<SandboxStoreStats> {
  const count = (
    table:
      | 'sandbox_products'
      | 'sandbox_stock'
      | 'sandbox_orders'
      | 'sandbox_listings'
      | 'sandbox_imported_orders',
  ) => sql<number>`(SELECT count(*) FROM ${sql.table(table)} WHERE integration_id = ${integrationId}::uuid)`;
  const result = await sql<SandboxStoreStats>`
    SELECT ${count('sandbox_products')} AS products,
           ${count('sandbox_stock')} AS "stockRows",
           ${count('sandbox_orders')} AS orders,
           ${count('sandbox_listings')} AS listings,
           ${count('sandbox_imported_orders')} AS "importedOrders"
  `.execute(db);
  const [stats] = result.rows;
  if (!stats) throw new Error('Stats query returned no row');
  return stats;
}

/**
 * Simulates merchant edits: `count` random SKUs get a new price and `updated_at = now()`, so the next incremental
 * sync has work. Returns the SKUs touched.
 */
export async function touchSandboxProducts(
  db: Database,
  integrationId: string,
  count: number,
): Promise<string[]> {
  if (count <= 0) return [];
  const result = await sql<{ sku: string }>`
    UPDATE sandbox_products AS p
       SET updated_at = now(),
           price = p.price + 0.01 * (1 + floor(random() * 100))
      FROM (SELECT sku FROM sandbox_products
             WHERE integration_id = ${integrationId}::uuid
             ORDER BY random()
             LIMIT ${count}::int) AS picked
     WHERE p.integration_id = ${integrationId}::uuid AND p.sku = picked.sku
    RETURNING p.sku
  `.execute(db);
  return result.rows.map((row) => row.sku);
}

// ---- Reads -------------------------------------------------------------------------------------------------

export async function countSandboxProducts(
  db: Database,
  integrationId: string,
  updatedSince?: Date,
): Promise<number> {
  let query = db
    .selectFrom('sandbox_products')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('integration_id', '=', integrationId);
  if (updatedSince) query = query.where('updated_at', '>', updatedSince);
  const row = await query.executeTakeFirstOrThrow();
  return row.count;
}

export async function listSandboxProducts(
  db: Database,
  integrationId: string,
  page: KeysetPageQuery,
): Promise<SandboxProductRecord[]> {
  let query = db
    .selectFrom('sandbox_products')
    .select(['sku', 'product_code', 'name', 'price', 'updated_at'])
    .select(exactTimestamp('updated_at').as('exact_updated_at'))
    .where('integration_id', '=', integrationId);
  if (page.updatedSince) query = query.where('updated_at', '>', page.updatedSince);
  if (page.after) {
    query = query.where(
      sql<boolean>`(updated_at, sku) > (${page.after.updatedAt}::timestamptz, ${page.after.key})`,
    );
  }
  const rows = await executePrepared(db, query.orderBy('updated_at').orderBy('sku').limit(page.limit));
  return rows.map((row) => ({
    sku: row.sku,
    productCode: row.product_code,
    name: row.name,
    price: row.price,
    updatedAt: row.updated_at,
    position: { updatedAt: row.exact_updated_at, key: row.sku },
  }));
}

/** SKUs with stock in any warehouse changed after `updatedSince` (all SKUs with stock when absent). */
export async function countSandboxStockLevels(
  db: Database,
  integrationId: string,
  updatedSince?: Date,
): Promise<number> {
  let query = db
    .selectFrom('sandbox_stock')
    .select((eb) => eb.fn.count<number>('sku').distinct().as('count'))
    .where('integration_id', '=', integrationId);
  if (updatedSince) query = query.where('updated_at', '>', updatedSince);
  const row = await query.executeTakeFirstOrThrow();
  return row.count;
}

/**
 * Stock summed per SKU, in order of each SKU's latest warehouse change. Rather than aggregating every SKU for every
 * page, this walks the (integration_id, updated_at, sku) index and keeps only the row that is its SKU's latest
 * (ties broken by warehouse), so each SKU appears once, at the position of its newest change.
 */
export async function listSandboxStockLevels(
  db: Database,
  integrationId: string,
  page: KeysetPageQuery,
): Promise<SandboxStockRecord[]> {
  let query = db
    .selectFrom('sandbox_stock as s')
    .select(['s.sku', 's.updated_at'])
    .select(exactTimestamp('s.updated_at').as('exact_updated_at'))
    .select((eb) =>
      eb
        .selectFrom('sandbox_stock as t')
        .select((inner) => inner.fn.sum<number>('t.quantity').as('quantity'))
        .whereRef('t.integration_id', '=', 's.integration_id')
        .whereRef('t.sku', '=', 's.sku')
        .as('quantity'),
    )
    .where('s.integration_id', '=', integrationId)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('sandbox_stock as later')
            .select(sql`1`.as('one'))
            .whereRef('later.integration_id', '=', 's.integration_id')
            .whereRef('later.sku', '=', 's.sku')
            .where(sql<boolean>`(later.updated_at, later.warehouse) > (s.updated_at, s.warehouse)`),
        ),
      ),
    );
  if (page.updatedSince) query = query.where('s.updated_at', '>', page.updatedSince);
  if (page.after) {
    query = query.where(
      sql<boolean>`(s.updated_at, s.sku) > (${page.after.updatedAt}::timestamptz, ${page.after.key})`,
    );
  }
  const rows = await executePrepared(db, query.orderBy('s.updated_at').orderBy('s.sku').limit(page.limit));
  return rows.map((row) => ({
    sku: row.sku,
    quantity: Number(row.quantity ?? 0),
    updatedAt: row.updated_at,
    position: { updatedAt: row.exact_updated_at, key: row.sku },
  }));
}

export async function countSandboxOrders(
  db: Database,
  integrationId: string,
  updatedSince?: Date,
): Promise<number> {
  let query = db
    .selectFrom('sandbox_orders')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('integration_id', '=', integrationId);
  if (updatedSince) query = query.where('updated_at', '>', updatedSince);
  const row = await query.executeTakeFirstOrThrow();
  return row.count;
}

export async function listSandboxOrders(
  db: Database,
  integrationId: string,
  page: KeysetPageQuery,
): Promise<SandboxOrderRecord[]> {
  let query = db
    .selectFrom('sandbox_orders')
    .select(['external_id', 'status', 'total', 'updated_at'])
    .select(exactTimestamp('updated_at').as('exact_updated_at'))
    .where('integration_id', '=', integrationId);
  if (page.updatedSince) query = query.where('updated_at', '>', page.updatedSince);
  if (page.after) {
    query = query.where(
      sql<boolean>`(updated_at, external_id) > (${page.after.updatedAt}::timestamptz, ${page.after.key})`,
    );
  }
  const rows = await executePrepared(
    db,
    query.orderBy('updated_at').orderBy('external_id').limit(page.limit),
  );
  return rows.map((row) => ({
    externalId: row.external_id,
    status: row.status,
    total: row.total,
    updatedAt: row.updated_at,
    position: { updatedAt: row.exact_updated_at, key: row.external_id },
  }));
}

// ---- Writes ------------------------------------------------------------------------------------------------
// Inputs must have unique keys: Postgres refuses to upsert the same row twice in one statement. Rows travel as
// parallel arrays through unnest(), so a batch is one statement with a fixed number of parameters.

function outcomesFromReturning(
  keys: readonly string[],
  returned: readonly { key: string; created: boolean }[],
): KeyedOutcome[] {
  const changed = new Map(returned.map((row) => [row.key, row.created ? 'created' : 'updated'] as const));
  return keys.map((key) => ({ key, outcome: changed.get(key) ?? 'unchanged' }));
}

export interface ListingContent {
  sku: string;
  name: string;
  price: string;
}

/** Creates or updates listings' name and price; a listing whose name and price already match is left alone. */
export async function upsertSandboxListings(
  db: Database,
  integrationId: string,
  listings: readonly ListingContent[],
  options: { dryRun: boolean },
): Promise<KeyedOutcome[]> {
  if (listings.length === 0) return [];
  const skus = listings.map((l) => l.sku);
  const incoming = sql`unnest(${skus}::text[], ${listings.map((l) => l.name)}::text[], ${listings.map((l) => l.price)}::numeric[]) AS v (sku, name, price)`;
  if (options.dryRun) {
    const result = await sql<KeyedOutcome>`
      SELECT v.sku AS key,
             CASE WHEN l.sku IS NULL THEN 'created'
                  WHEN (l.name, l.price) IS DISTINCT FROM (v.name, v.price) THEN 'updated'
                  ELSE 'unchanged' END AS outcome
        FROM ${incoming}
        LEFT JOIN sandbox_listings AS l ON l.integration_id = ${integrationId}::uuid AND l.sku = v.sku
    `.execute(db);
    return result.rows;
  }
  const result = await sql<{ key: string; created: boolean }>`
    INSERT INTO sandbox_listings AS l (integration_id, sku, name, price)
    SELECT ${integrationId}::uuid, v.sku, v.name, v.price FROM ${incoming}
    ON CONFLICT (integration_id, sku) DO UPDATE
       SET name = excluded.name, price = excluded.price, synced_at = now()
     WHERE (l.name, l.price) IS DISTINCT FROM (excluded.name, excluded.price)
    RETURNING l.sku AS key, (l.xmax = 0) AS created
  `.execute(db);
  return outcomesFromReturning(skus, result.rows);
}

export interface ListingStock {
  sku: string;
  quantity: number;
}

/** Sets listings' available quantity; a SKU without a listing yet gets one with only its quantity. */
export async function setSandboxListingStock(
  db: Database,
  integrationId: string,
  levels: readonly ListingStock[],
  options: { dryRun: boolean },
): Promise<KeyedOutcome[]> {
  if (levels.length === 0) return [];
  const skus = levels.map((l) => l.sku);
  const incoming = sql`unnest(${skus}::text[], ${levels.map((l) => l.quantity)}::int[]) AS v (sku, quantity)`;
  if (options.dryRun) {
    const result = await sql<KeyedOutcome>`
      SELECT v.sku AS key,
             CASE WHEN l.sku IS NULL THEN 'created'
                  WHEN l.quantity IS DISTINCT FROM v.quantity THEN 'updated'
                  ELSE 'unchanged' END AS outcome
        FROM ${incoming}
        LEFT JOIN sandbox_listings AS l ON l.integration_id = ${integrationId}::uuid AND l.sku = v.sku
    `.execute(db);
    return result.rows;
  }
  const result = await sql<{ key: string; created: boolean }>`
    INSERT INTO sandbox_listings AS l (integration_id, sku, quantity)
    SELECT ${integrationId}::uuid, v.sku, v.quantity FROM ${incoming}
    ON CONFLICT (integration_id, sku) DO UPDATE
       SET quantity = excluded.quantity, synced_at = now()
     WHERE l.quantity IS DISTINCT FROM excluded.quantity
    RETURNING l.sku AS key, (l.xmax = 0) AS created
  `.execute(db);
  return outcomesFromReturning(skus, result.rows);
}

export interface OrderImport {
  externalId: string;
  status: string;
  total: string;
}

/** Imports orders idempotently on (integration_id, external_id); an imported order changes only with its status. */
export async function importSandboxOrders(
  db: Database,
  integrationId: string,
  orders: readonly OrderImport[],
  options: { dryRun: boolean },
): Promise<KeyedOutcome[]> {
  if (orders.length === 0) return [];
  const ids = orders.map((o) => o.externalId);
  const incoming = sql`unnest(${ids}::text[], ${orders.map((o) => o.status)}::text[], ${orders.map((o) => o.total)}::numeric[]) AS v (external_id, status, total)`;
  if (options.dryRun) {
    const result = await sql<KeyedOutcome>`
      SELECT v.external_id AS key,
             CASE WHEN o.external_id IS NULL THEN 'created'
                  WHEN o.status IS DISTINCT FROM v.status THEN 'updated'
                  ELSE 'unchanged' END AS outcome
        FROM ${incoming}
        LEFT JOIN sandbox_imported_orders AS o
          ON o.integration_id = ${integrationId}::uuid AND o.external_id = v.external_id
    `.execute(db);
    return result.rows;
  }
  const result = await sql<{ key: string; created: boolean }>`
    INSERT INTO sandbox_imported_orders AS o (integration_id, external_id, status, total)
    SELECT ${integrationId}::uuid, v.external_id, v.status, v.total FROM ${incoming}
    ON CONFLICT (integration_id, external_id) DO UPDATE
       SET status = excluded.status, total = excluded.total, updated_at = now()
     WHERE o.status IS DISTINCT FROM excluded.status
    RETURNING o.external_id AS key, (o.xmax = 0) AS created
  `.execute(db);
  return outcomesFromReturning(ids, result.rows);
}
