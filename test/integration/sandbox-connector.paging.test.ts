import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getSandboxStoreStats,
  listSandboxProducts,
  seedSandboxStore,
  touchSandboxProducts,
} from '../../db/queries/sandbox.ts';
import { advanceWatermark, getWatermark } from '../../db/queries/watermark.ts';
import type { Integration, Platform } from '../../db/types.ts';
import type { Page, ReadQuery } from '../../server/connectors/connector.ts';
import { createConnector } from '../../server/connectors/index.ts';
import { createSandboxConnector, encodeCursor } from '../../server/connectors/sandbox.ts';
import {
  sandboxSettingsSchema,
  type SandboxSettingsInput,
} from '../../server/connectors/sandbox-settings.ts';
import { PermanentError, TransientError } from '../../server/errors.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

let testDb: TestDatabase;
const signal = new AbortController().signal;

beforeAll(async () => {
  testDb = await createTestDatabase();
});

afterAll(async () => {
  await testDb.drop();
});

async function createSandbox(settings: SandboxSettingsInput): Promise<Integration> {
  const integration = await testDb.db
    .insertInto('integrations')
    .values({ name: 'Sandbox', platform: 'SANDBOX', settings: JSON.stringify(settings), credentials: null })
    .returningAll()
    .executeTakeFirstOrThrow();
  await seedSandboxStore(testDb.db, integration.id, sandboxSettingsSchema.parse(settings));
  return integration;
}

/** Follows `next` to the end, returning every item and each page's size. */
async function readAll<T>(
  list: (q: ReadQuery) => Promise<Page<T>>,
  query: Omit<ReadQuery, 'cursor' | 'signal'>,
): Promise<{ items: T[]; pageSizes: number[] }> {
  const items: T[] = [];
  const pageSizes: number[] = [];
  let cursor: string | undefined;
  do {
    const page = await list({ ...query, ...(cursor ? { cursor } : {}), signal });
    items.push(...page.items);
    pageSizes.push(page.items.length);
    cursor = page.next;
    if (pageSizes.length > 10_000) throw new Error('Pagination does not terminate');
  } while (cursor);
  return { items, pageSizes };
}

async function productSkus(integrationId: string): Promise<string[]> {
  const rows = await testDb.db
    .selectFrom('sandbox_products')
    .select('sku')
    .where('integration_id', '=', integrationId)
    .orderBy('sku')
    .execute();
  return rows.map((r) => r.sku);
}

describe('seedSandboxStore', () => {
  it('creates products × variants, stock per warehouse and orders, with recognisable data', async () => {
    const integration = await createSandbox({
      products: 30,
      variantsPerProduct: 3,
      warehouses: 2,
      orders: 25,
    });

    expect(await getSandboxStoreStats(testDb.db, integration.id)).toEqual({
      products: 90,
      stockRows: 180,
      orders: 25,
      listings: 0,
      importedOrders: 0,
    });
    const skus = await productSkus(integration.id);
    expect(skus[0]).toBe('SBX-00001-V1');
    expect(skus.every((sku) => /^SBX-\d{5}-V[1-3]$/.test(sku))).toBe(true);

    const products = await testDb.db
      .selectFrom('sandbox_products')
      .select(['product_code', 'name', 'price', 'updated_at'])
      .where('integration_id', '=', integration.id)
      .execute();
    expect(new Set(products.map((p) => p.product_code)).size).toBe(30);
    expect(products.every((p) => p.name.length > 0 && Number(p.price) > 0)).toBe(true);
    const weekAgo = Date.now() - 7 * 24 * 3600 * 1000 - 60_000;
    expect(
      products.every((p) => p.updated_at.getTime() > weekAgo && p.updated_at.getTime() <= Date.now()),
    ).toBe(true);
    expect(new Set(products.map((p) => p.updated_at.getTime())).size).toBe(30);

    const orders = await testDb.db
      .selectFrom('sandbox_orders')
      .select(['external_id', 'status', 'total', 'items'])
      .where('integration_id', '=', integration.id)
      .orderBy('external_id')
      .execute();
    expect(orders[0]?.external_id).toBe('ORD-000001');
    expect(new Set(orders.map((o) => o.status))).toEqual(new Set(['paid', 'pending', 'cancelled']));
    // Each order line points at a seeded SKU, and the total is its price times the quantity.
    for (const order of orders) {
      const lines = order.items.lines as { sku: string; quantity: number; unitPrice: number }[];
      expect(lines).toHaveLength(1);
      const [line] = lines;
      expect(skus).toContain(line?.sku);
      expect(Number(order.total)).toBeCloseTo((line?.unitPrice ?? 0) * (line?.quantity ?? 0), 2);
    }
  });

  it('replaces the previous store, listings and watermarks when seeded again', async () => {
    const integration = await createSandbox({ products: 10, orders: 5 });
    await createSandboxConnector(testDb.db, integration).upsertListings(
      [{ sku: 'SBX-00001-V1', productCode: 'SBX-00001', name: 'Mug', price: '5.00', updatedAt: new Date() }],
      { dryRun: false, signal },
    );
    await advanceWatermark(testDb.db, integration.id, 'products', new Date());

    const counts = await seedSandboxStore(testDb.db, integration.id, {
      products: 4,
      variantsPerProduct: 1,
      warehouses: 3,
      orders: 0,
    });

    expect(counts).toEqual({ products: 4, stock: 12, orders: 0 });
    expect(await getSandboxStoreStats(testDb.db, integration.id)).toEqual({
      products: 4,
      stockRows: 12,
      orders: 0,
      listings: 0,
      importedOrders: 0,
    });
    expect(await getWatermark(testDb.db, integration.id, 'products')).toBeUndefined();
  });

  it('creates orders without lines when there are no products', async () => {
    const integration = await createSandbox({ products: 0, orders: 3 });
    const orders = await testDb.db
      .selectFrom('sandbox_orders')
      .select(['total', 'items'])
      .where('integration_id', '=', integration.id)
      .execute();
    expect(orders).toHaveLength(3);
    expect(orders.every((o) => Number(o.total) === 0 && Array.isArray(o.items.lines))).toBe(true);
  });

  it('touchSandboxProducts changes the price and updated_at of the given number of SKUs', async () => {
    const integration = await createSandbox({ products: 10 });
    const before = await listSandboxProducts(testDb.db, integration.id, { limit: 100 });
    const startedAt = new Date(Date.now() - 1000);

    const touched = await touchSandboxProducts(testDb.db, integration.id, 5);

    expect(new Set(touched).size).toBe(5);
    const after = await listSandboxProducts(testDb.db, integration.id, { limit: 100 });
    for (const product of after) {
      const previous = before.find((p) => p.sku === product.sku);
      if (touched.includes(product.sku)) {
        expect(product.price).not.toBe(previous?.price);
        expect(product.updatedAt.getTime()).toBeGreaterThan(startedAt.getTime());
      } else {
        expect(product).toEqual(previous);
      }
    }
  });
});

describe('sandbox connector reads', () => {
  it('pages through every product exactly once, in (updatedAt, sku) order, capped at the platform page size', async () => {
    const integration = await createSandbox({
      products: 25,
      variantsPerProduct: 2,
      pageSize: 7,
      latencyMs: 0,
    });
    const connector = createSandboxConnector(testDb.db, integration);

    const { items, pageSizes } = await readAll((q) => connector.listProducts(q), { pageSize: 50 });

    expect(pageSizes).toEqual([7, 7, 7, 7, 7, 7, 7, 1]);
    expect(items.map((p) => p.sku).sort()).toEqual(await productSkus(integration.id));
    const order = items.map((p) => [p.updatedAt.getTime(), p.sku] as const);
    const sorted = [...order].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    expect(order).toEqual(sorted);
    expect(await connector.countProducts({ signal })).toBe(50);
  });

  it('visits every record once when many share updated_at, including instants within the same millisecond', async () => {
    const integration = await createSandbox({ products: 40, variantsPerProduct: 2, latencyMs: 0 });
    const connector = createSandboxConnector(testDb.db, integration);
    // A JS Date holds milliseconds only; a cursor built from one would repeat or skip the second group.
    await sql`
      UPDATE sandbox_products
         SET updated_at = CASE WHEN right(sku, 1) = '1' THEN '2024-05-01T10:00:00.123456Z'::timestamptz
                               ELSE '2024-05-01T10:00:00.123789Z'::timestamptz END
       WHERE integration_id = ${integration.id}::uuid AND sku < 'SBX-00031'
    `.execute(testDb.db);

    for (const pageSize of [1, 6, 13]) {
      const { items } = await readAll((q) => connector.listProducts(q), { pageSize });
      const skus = items.map((p) => p.sku);
      expect(new Set(skus).size).toBe(skus.length);
      expect(skus.sort()).toEqual(await productSkus(integration.id));
    }
  });

  it('applies updatedSince to both the count and the pages', async () => {
    const integration = await createSandbox({ products: 30, variantsPerProduct: 1, latencyMs: 0 });
    const connector = createSandboxConnector(testDb.db, integration);
    const all = await listSandboxProducts(testDb.db, integration.id, { limit: 100 });
    const since = all[19]?.updatedAt;
    if (!since) throw new Error('expected 30 products');

    const { items } = await readAll((q) => connector.listProducts(q), { pageSize: 4, updatedSince: since });

    const expected = all.filter((p) => p.updatedAt > since).map((p) => p.sku);
    expect(expected.length).toBeGreaterThanOrEqual(10);
    expect(items.map((p) => p.sku)).toEqual(expected);
    expect(await connector.countProducts({ signal, updatedSince: since })).toBe(expected.length);
  });

  it('sums stock over warehouses and lists each SKU once, at its latest warehouse change', async () => {
    const integration = await createSandbox({
      products: 15,
      variantsPerProduct: 2,
      warehouses: 3,
      latencyMs: 0,
    });
    const connector = createSandboxConnector(testDb.db, integration);
    const expectedRows = await sql<{ sku: string; available: number }>`
      SELECT sku, sum(quantity)::int AS available FROM sandbox_stock
       WHERE integration_id = ${integration.id}::uuid GROUP BY sku ORDER BY sku
    `.execute(testDb.db);
    const expected = Object.fromEntries(expectedRows.rows.map((r) => [r.sku, r.available]));

    const { items } = await readAll((q) => connector.listStock(q), { pageSize: 4 });

    expect(items).toHaveLength(30);
    expect(Object.fromEntries(items.map((s) => [s.sku, s.available]))).toEqual(expected);
    expect(await connector.countStock({ signal })).toBe(30);

    // One warehouse of one SKU changes: an incremental read returns that SKU alone, with the new sum.
    const checkpoint = items.reduce((max, s) => (s.updatedAt > max ? s.updatedAt : max), new Date(0));
    await sql`
      UPDATE sandbox_stock SET quantity = quantity + 7, updated_at = now()
       WHERE integration_id = ${integration.id}::uuid AND sku = 'SBX-00004-V2' AND warehouse = 'WH-2'
    `.execute(testDb.db);
    const changed = await readAll((q) => connector.listStock(q), { pageSize: 4, updatedSince: checkpoint });
    expect(changed.items.map((s) => [s.sku, s.available])).toEqual([
      ['SBX-00004-V2', (expected['SBX-00004-V2'] ?? 0) + 7],
    ]);
    expect(await connector.countStock({ signal, updatedSince: checkpoint })).toBe(1);
  });

  it('pages through every order exactly once', async () => {
    const integration = await createSandbox({ products: 5, orders: 57, pageSize: 10, latencyMs: 0 });
    const connector = createSandboxConnector(testDb.db, integration);

    const { items, pageSizes } = await readAll((q) => connector.listOrders(q), { pageSize: 100 });

    expect(pageSizes).toEqual([10, 10, 10, 10, 10, 7]);
    const ids = items.map((o) => o.externalId);
    expect(new Set(ids).size).toBe(57);
    expect(ids).toContain('ORD-000057');
    expect(await connector.countOrders({ signal })).toBe(57);
  });

  it('rejects a cursor it did not issue with a PermanentError', async () => {
    const integration = await createSandbox({ products: 1, latencyMs: 0 });
    const connector = createSandboxConnector(testDb.db, integration);

    for (const cursor of ['not-a-cursor', encodeCursor({ updatedAt: 'yesterday', key: 'x' })]) {
      await expect(connector.listProducts({ cursor, pageSize: 10, signal })).rejects.toMatchObject({
        name: 'PermanentError',
        code: 'INVALID_CURSOR',
      });
    }
  });
});

describe('sandbox connector behaviour', () => {
  it('fails a call with a retryable 503 when the random draw falls under failureRate', async () => {
    const integration = await createSandbox({ products: 3, latencyMs: 0, failureRate: 0.5 });
    const unlucky = createSandboxConnector(testDb.db, integration, { random: () => 0.49 });
    const lucky = createSandboxConnector(testDb.db, integration, { random: () => 0.5 });

    const failure = await unlucky.listProducts({ pageSize: 10, signal }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(TransientError);
    expect(failure).toMatchObject({ code: 'PLATFORM_UNAVAILABLE', message: 'Sandbox platform returned 503' });
    expect((await lucky.listProducts({ pageSize: 10, signal })).items).toHaveLength(6);
  });

  it('stops waiting out the simulated latency as soon as the signal aborts, with its reason', async () => {
    const integration = await createSandbox({ products: 1, latencyMs: 60_000 });
    const connector = createSandboxConnector(testDb.db, integration);
    const controller = new AbortController();
    const reason = new Error('cancelled by test');
    const startedAt = Date.now();

    const call = connector.countProducts({ signal: controller.signal });
    controller.abort(reason);

    await expect(call).rejects.toBe(reason);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  });

  it('reports created, updated, unchanged, duplicate and invalid listings, and writes nothing in a dry run', async () => {
    const integration = await createSandbox({ products: 2, latencyMs: 0 });
    const connector = createSandboxConnector(testDb.db, integration);
    const product = (sku: string, name: string, price: string) => ({
      sku,
      productCode: sku.slice(0, 9),
      name,
      price,
      updatedAt: new Date(),
    });
    await connector.upsertListings([product('A', 'Mug', '5.00'), product('B', 'Cup', '3.00')], {
      dryRun: false,
      signal,
    });
    const batch = [
      product('A', 'Mug', '5'),
      product('B', 'Cup', '3.50'),
      product('C', 'Old', '1.00'),
      product('C', 'Lamp', '12.90'),
      product('D', ' ', '1.00'),
      product('E', 'Bowl', '1.999'),
    ];

    const dryRun = await connector.upsertListings(batch, { dryRun: true, signal });
    const listingsAfterDryRun = await testDb.db
      .selectFrom('sandbox_listings')
      .select(['sku', 'name', 'price'])
      .where('integration_id', '=', integration.id)
      .orderBy('sku')
      .execute();
    const results = await connector.upsertListings(batch, { dryRun: false, signal });

    const expected = [
      { key: 'A', status: 'skipped', code: 'UNCHANGED' },
      { key: 'B', status: 'ok', code: 'UPDATED' },
      { key: 'C', status: 'skipped', code: 'DUPLICATE' },
      { key: 'C', status: 'ok', code: 'CREATED' },
      { key: 'D', status: 'failed', code: 'INVALID_NAME' },
      { key: 'E', status: 'failed', code: 'INVALID_PRICE' },
    ];
    expect(dryRun).toMatchObject(expected);
    expect(results).toMatchObject(expected);
    expect(listingsAfterDryRun).toEqual([
      { sku: 'A', name: 'Mug', price: '5.00' },
      { sku: 'B', name: 'Cup', price: '3.00' },
    ]);
    const listings = await testDb.db
      .selectFrom('sandbox_listings')
      .select(['sku', 'name', 'price'])
      .where('integration_id', '=', integration.id)
      .orderBy('sku')
      .execute();
    expect(listings).toEqual([
      { sku: 'A', name: 'Mug', price: '5.00' },
      { sku: 'B', name: 'Cup', price: '3.50' },
      { sku: 'C', name: 'Lamp', price: '12.90' },
    ]);
  });
});

describe('createConnector', () => {
  it('builds the sandbox connector, and rejects unknown platforms and invalid settings permanently', async () => {
    const integration = await createSandbox({ products: 1, latencyMs: 0 });

    expect(createConnector(testDb.db, integration).platform).toBe('SANDBOX');
    expect(() =>
      createConnector(testDb.db, { ...integration, platform: 'SHOPIFY' as string as Platform }),
    ).toThrow(expect.objectContaining({ name: 'PermanentError', code: 'UNSUPPORTED_PLATFORM' }));
    const badSettings = { ...integration, settings: { products: -1, colour: 'blue' } };
    expect(() => createConnector(testDb.db, badSettings)).toThrow(PermanentError);
    expect(() => createConnector(testDb.db, badSettings)).toThrow(/Invalid sandbox settings/);
  });
});
