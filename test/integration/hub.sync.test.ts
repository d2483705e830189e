/**
 * Hub semantics with small in-memory platform connectors (the platforms' own connectors have their own tests
 * against emulators): ERP → hub catalog and stock with watermarks, catalog and available stock pushed to a
 * channel by SKU with links, orders imported once with reservations, exported to the ERP once, dry runs, partial
 * outcomes in the ledger and reruns of only the failed items.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listFailedItemKeys, listLedgerEntries } from '../../db/queries/item-ledger.ts';
import { getWatermark } from '../../db/queries/watermark.ts';
import type { Integration, Platform } from '../../db/types.ts';
import type { ItemResult, Page } from '../../server/connectors/connector.ts';
import type {
  ChannelConnector,
  ChannelOrder,
  ChannelRef,
  ErpConnector,
  ErpProduct,
  ErpStockLevel,
  IncrementalQuery,
  OrderForErp,
  PlatformConnector,
} from '../../server/connectors/platform.ts';
import { syncOptionsSchema, type JobHandler, type SyncOptions } from '../../server/handlers/handler.ts';
import { handlers } from '../../server/handlers/registry.ts';
import { HUB_WATERMARK_OVERLAP_MS } from '../../server/hub/run.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

let testDb: TestDatabase;
const limits = { maxPageSize: 2, maxBatchWrite: 50 };

/** Pages of two over a list, as an offset cursor; records each query. */
function paged<T extends { updatedAt: Date }>(items: () => T[], queries: IncrementalQuery[]) {
  return (q: IncrementalQuery): Promise<Page<T>> => {
    queries.push(q);
    const all = items().filter((i) => !q.updatedSince || i.updatedAt >= q.updatedSince);
    const offset = q.cursor ? Number(q.cursor) : 0;
    const slice = all.slice(offset, offset + q.pageSize);
    const next = offset + q.pageSize < all.length ? String(offset + q.pageSize) : undefined;
    return Promise.resolve({ items: slice, ...(next ? { next } : {}) });
  };
}

class FakeErp implements ErpConnector {
  readonly role = 'erp' as const;
  readonly platform = 'BLING' as const;
  readonly limits = limits;
  products: ErpProduct[] = [];
  stock: ErpStockLevel[] = [];
  productQueries: IncrementalQuery[] = [];
  stockQueries: IncrementalQuery[] = [];
  imported = new Map<string, string>();
  importCalls: { order: OrderForErp; dryRun: boolean }[] = [];
  checkAuth = () => Promise.resolve();
  listProducts = paged(() => this.products, this.productQueries);
  listStock = paged(() => this.stock, this.stockQueries);
  importOrder(order: OrderForErp, opts: { dryRun: boolean }): Promise<ItemResult & { erpId?: string }> {
    this.importCalls.push({ order, dryRun: opts.dryRun });
    const key = `${order.channel}:${order.externalId}`;
    const known = this.imported.get(key);
    if (known)
      return Promise.resolve({
        key: order.externalId,
        status: 'skipped',
        code: 'ALREADY_IMPORTED',
        erpId: known,
      });
    if (order.lines.some((l) => l.sku === 'BROKEN'))
      return Promise.resolve({
        key: order.externalId,
        status: 'failed',
        code: 'INVALID_PRODUCT',
        message: 'no such SKU',
      });
    if (opts.dryRun) return Promise.resolve({ key: order.externalId, status: 'ok', code: 'CREATED' });
    const erpId = `erp-${this.imported.size + 1}`;
    this.imported.set(key, erpId);
    return Promise.resolve({ key: order.externalId, status: 'ok', code: 'CREATED', erpId });
  }
}

class FakeChannel implements ChannelConnector {
  readonly role = 'channel' as const;
  readonly platform = 'NUVEMSHOP' as const;
  readonly limits = limits;
  /** Listings by SKU; several for one SKU make it ambiguous. */
  listings = new Map<string, ChannelRef[]>();
  stock = new Map<string, number>();
  orders: ChannelOrder[] = [];
  resolveCalls: string[][] = [];
  upsertCalls: { items: { sku: string; ref: ChannelRef | null }[]; dryRun: boolean }[] = [];
  stockCalls: { levels: { sku: string; available: number }[]; dryRun: boolean }[] = [];
  orderQueries: IncrementalQuery[] = [];
  failSkus = new Set<string>();
  checkAuth = () => Promise.resolve();
  listOrders = paged(() => this.orders, this.orderQueries);
  resolveSkus(skus: readonly string[]): Promise<Map<string, ChannelRef[]>> {
    this.resolveCalls.push([...skus]);
    return Promise.resolve(new Map(skus.map((s) => [s, this.listings.get(s) ?? []])));
  }
  upsertProducts(
    items: readonly { product: ErpProduct; ref: ChannelRef | null }[],
    opts: { dryRun: boolean },
  ): Promise<(ItemResult & { ref?: ChannelRef })[]> {
    this.upsertCalls.push({
      items: items.map((i) => ({ sku: i.product.sku, ref: i.ref })),
      dryRun: opts.dryRun,
    });
    return Promise.resolve(
      items.map(({ product, ref }) => {
        if (this.failSkus.has(product.sku))
          return { key: product.sku, status: 'failed' as const, code: 'INVALID_NAME', message: 'rejected' };
        if (ref) return { key: product.sku, status: 'ok' as const, code: 'UPDATED' };
        const created = { productId: `p-${product.sku}`, variantId: null };
        if (!opts.dryRun) this.listings.set(product.sku, [created]);
        return { key: product.sku, status: 'ok' as const, code: 'CREATED', ref: created };
      }),
    );
  }
  setStock(
    levels: readonly { sku: string; ref: ChannelRef; available: number }[],
    opts: { dryRun: boolean },
  ): Promise<ItemResult[]> {
    this.stockCalls.push({
      levels: levels.map((l) => ({ sku: l.sku, available: l.available })),
      dryRun: opts.dryRun,
    });
    if (!opts.dryRun) for (const l of levels) this.stock.set(l.sku, l.available);
    return Promise.resolve(levels.map((l) => ({ key: l.sku, status: 'ok' as const, code: 'UPDATED' })));
  }
}

async function newIntegration(
  platform: Platform,
  settings: Record<string, unknown> = {},
): Promise<Integration> {
  return testDb.db
    .insertInto('integrations')
    .values({ name: `hub ${platform}`, platform, settings: JSON.stringify(settings), credentials: null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

async function run(
  type: keyof typeof handlers,
  integration: Integration,
  connector: PlatformConnector,
  options: Partial<SyncOptions> = {},
) {
  const handler = handlers[type] as JobHandler<SyncOptions>;
  const parsed = syncOptionsSchema.parse(options);
  const job = await testDb.db
    .insertInto('sync_jobs')
    .values({
      id: randomUUID(),
      integration_id: integration.id,
      sync_type: type,
      priority: 'NORMAL',
      origin: 'API',
      queue: 'default',
      status: 'RUNNING',
      options: JSON.stringify(parsed),
      max_attempts: 3,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const result = await handler.run({
    job,
    options: parsed,
    integration,
    connector,
    db: testDb.db,
    signal: new AbortController().signal,
    progress: () => undefined,
    log: pino({ level: 'silent' }),
  });
  const ledger = await listLedgerEntries(testDb.db, { jobId: job.id }, { limit: 1000 });
  return { job, result, ledger: ledger.reverse() };
}

const t0 = new Date('2026-03-01T12:00:00Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
const product = (sku: string, price: string, minutes: number): ErpProduct => ({
  sku,
  name: `Product ${sku}`,
  price,
  externalId: `b-${sku}`,
  parentExternalId: null,
  updatedAt: at(minutes),
});

beforeAll(async () => {
  testDb = await createTestDatabase();
});

afterAll(async () => {
  await testDb.drop();
});

beforeEach(async () => {
  // The hub is global: each test starts from an empty one.
  await sql`TRUNCATE hub_products, hub_stock, hub_orders, hub_reservations, hub_links, item_ledger`.execute(
    testDb.db,
  );
});

describe('ERP → hub', () => {
  it('upserts the catalog page by page, de-duplicates, and reads incrementally from the watermark minus the overlap', async () => {
    const erpRow = await newIntegration('BLING');
    const erp = new FakeErp();
    // A duplicate (same SKU and time) on a later page, as a shifted page would serve it.
    erp.products = [
      product('A', '10.00', 1),
      product('B', '20', 2),
      product('C', '30.5', 3),
      product('A', '10.00', 1),
    ];
    const first = await run('PRODUCTS', erpRow, erp);
    expect(first.result.failed).toBe(0);
    expect(first.ledger.map((e) => [e.item_key, e.action, e.outcome])).toEqual([
      ['A', 'create', 'ok'],
      ['B', 'create', 'ok'],
      ['C', 'create', 'ok'],
    ]);
    const hub = await testDb.db.selectFrom('hub_products').select(['sku', 'price']).orderBy('sku').execute();
    expect(hub).toEqual([
      { sku: 'A', price: '10.00' },
      { sku: 'B', price: '20.00' },
      { sku: 'C', price: '30.50' },
    ]);
    expect(await getWatermark(testDb.db, erpRow.id, 'products')).toEqual(at(3));
    expect(first.result.details).toMatchObject({ outcome: 'success', direction: 'erp-to-hub' });

    erp.products = [...erp.products, product('B', '25.00', 10)];
    const second = await run('PRODUCTS', erpRow, erp);
    expect(erp.productQueries.at(-1)?.updatedSince).toEqual(
      new Date(at(3).getTime() - HUB_WATERMARK_OVERLAP_MS),
    );
    expect(second.ledger.map((e) => [e.item_key, e.action, e.outcome])).toEqual([
      ['A', 'skip', 'skipped'],
      ['B', 'skip', 'skipped'],
      ['C', 'skip', 'skipped'],
      ['B', 'update', 'ok'],
    ]);
    expect(second.ledger.at(-1)).toMatchObject({ before: { price: '20.00' }, after: { price: '25.00' } });

    // A full sync ignores the watermark.
    await run('PRODUCTS', erpRow, erp, { fullSync: true });
    expect(erp.productQueries.at(-1)?.updatedSince).toBeUndefined();
  });

  it('records an invalid product as a failed item and completes as partial', async () => {
    const erpRow = await newIntegration('BLING');
    const erp = new FakeErp();
    erp.products = [product('OK', '1.00', 1), { ...product('BAD', 'abc', 2) }];
    const { result, ledger } = await run('PRODUCTS', erpRow, erp);
    expect(result.failed).toBe(1);
    expect(result.details).toMatchObject({
      outcome: 'partial',
      failedItems: [{ key: 'BAD', code: 'INVALID_ITEM' }],
    });
    expect(ledger.find((e) => e.item_key === 'BAD')).toMatchObject({
      outcome: 'failed',
      error_code: 'INVALID_ITEM',
    });
  });
});

describe('hub → channel', () => {
  it('pushes changed products by SKU: links a single listing, creates missing ones, reports ambiguous SKUs', async () => {
    const erpRow = await newIntegration('BLING');
    const channelRow = await newIntegration('NUVEMSHOP');
    const erp = new FakeErp();
    erp.products = [product('LINKME', '5.00', 1), product('NEW', '6.00', 2), product('TWICE', '7.00', 3)];
    await run('PRODUCTS', erpRow, erp);
    const channel = new FakeChannel();
    channel.listings.set('LINKME', [{ productId: '100', variantId: '1000' }]);
    channel.listings.set('TWICE', [
      { productId: '200', variantId: null },
      { productId: '201', variantId: null },
    ]);

    const first = await run('PRODUCTS', channelRow, channel);
    expect(channel.upsertCalls).toEqual([
      {
        items: [
          { sku: 'LINKME', ref: { productId: '100', variantId: '1000' } },
          { sku: 'NEW', ref: null },
        ],
        dryRun: false,
      },
    ]);
    expect(first.result.failed).toBe(1);
    expect(first.result.details).toMatchObject({
      outcome: 'partial',
      failedItems: [{ key: 'TWICE', code: 'AMBIGUOUS_SKU' }],
    });
    const links = await testDb.db
      .selectFrom('hub_links')
      .select(['sku', 'product_id', 'variant_id', 'pushed_price'])
      .where('integration_id', '=', channelRow.id)
      .orderBy('sku')
      .execute();
    expect(links).toEqual([
      { sku: 'LINKME', product_id: '100', variant_id: '1000', pushed_price: '5.00' },
      { sku: 'NEW', product_id: 'p-NEW', variant_id: null, pushed_price: '6.00' },
    ]);

    // Nothing changed: nothing is pushed except the still-ambiguous SKU's lookup.
    channel.upsertCalls = [];
    await run('PRODUCTS', channelRow, channel);
    expect(channel.upsertCalls).toEqual([]);

    // A price change in the ERP is pushed to that listing only.
    erp.products = [...erp.products, product('NEW', '6.50', 10)];
    await run('PRODUCTS', erpRow, erp);
    await run('PRODUCTS', channelRow, channel);
    expect(channel.upsertCalls).toEqual([
      { items: [{ sku: 'NEW', ref: { productId: 'p-NEW', variantId: null } }], dryRun: false },
    ]);
  });

  it('a dry run records what it would push and changes neither the channel nor the push state', async () => {
    const erpRow = await newIntegration('BLING');
    const channelRow = await newIntegration('NUVEMSHOP');
    const erp = new FakeErp();
    erp.products = [product('D1', '1.00', 1), product('D2', '2.00', 2)];
    await run('PRODUCTS', erpRow, erp);
    const channel = new FakeChannel();
    channel.listings.set('D1', [{ productId: '1', variantId: null }]);
    const dry = await run('PRODUCTS', channelRow, channel, { dryRun: true });
    expect(dry.ledger.map((e) => [e.item_key, e.action, e.outcome])).toEqual([
      ['D1', 'update', 'dry_run'],
      ['D2', 'create', 'dry_run'],
    ]);
    expect(channel.upsertCalls.every((c) => c.dryRun)).toBe(true);
    expect(channel.listings.has('D2')).toBe(false);
    const links = await testDb.db
      .selectFrom('hub_links')
      .selectAll()
      .where('integration_id', '=', channelRow.id)
      .execute();
    expect(links).toEqual([]);
  });

  it('pushes available = on hand − reserved − safety buffer, skips unchanged values, and reports unmapped SKUs', async () => {
    const erpRow = await newIntegration('BLING');
    const channelRow = await newIntegration('NUVEMSHOP', { safetyBuffer: 2 });
    const erp = new FakeErp();
    erp.products = [product('S1', '1.00', 1), product('S2', '1.00', 1), product('GHOST', '1.00', 1)];
    erp.stock = [
      { sku: 'S1', warehouse: 'main', onHand: 10, updatedAt: at(1) },
      { sku: 'S1', warehouse: 'store', onHand: 5, updatedAt: at(1) },
      { sku: 'S2', warehouse: 'main', onHand: 1, updatedAt: at(1) },
      { sku: 'GHOST', warehouse: 'main', onHand: 4, updatedAt: at(1) },
    ];
    await run('INVENTORY', erpRow, erp);
    const channel = new FakeChannel();
    channel.listings.set('S1', [{ productId: '1', variantId: null }]);
    channel.listings.set('S2', [{ productId: '2', variantId: null }]);
    channel.orders = [
      {
        externalId: 'o1',
        packId: null,
        status: 'PAID',
        total: '3.00',
        lines: [{ sku: 'S1', quantity: 3, unitPrice: '1.00' }],
        createdAt: at(1),
        updatedAt: at(1),
      },
    ];
    await run('ORDERS', channelRow, channel);

    const first = await run('INVENTORY', channelRow, channel);
    // S1: 15 on hand − 3 reserved − 2 buffer; S2: 1 − 2 → 0.
    expect(channel.stockCalls).toEqual([
      {
        levels: [
          { sku: 'S1', available: 10 },
          { sku: 'S2', available: 0 },
        ],
        dryRun: false,
      },
    ]);
    expect(first.ledger.find((e) => e.item_key === 'GHOST')).toMatchObject({
      outcome: 'failed',
      error_code: 'UNMAPPED_SKU',
    });

    channel.stockCalls = [];
    await run('INVENTORY', channelRow, channel);
    expect(channel.stockCalls).toEqual([]);

    // Cancelling the order releases its stock: S1 goes back up.
    channel.orders = [{ ...channel.orders[0]!, status: 'CANCELLED', updatedAt: at(5) }];
    const cancelled = await run('ORDERS', channelRow, channel);
    expect(cancelled.ledger.map((e) => e.action)).toEqual(['update', 'release']);
    await run('INVENTORY', channelRow, channel);
    expect(channel.stockCalls).toEqual([{ levels: [{ sku: 'S1', available: 13 }], dryRun: false }]);
  });
});

describe('orders', () => {
  it('imports each order once across duplicate pages and re-runs, reserving once, and exports it to the ERP once', async () => {
    const erpRow = await newIntegration('BLING');
    const channelRow = await newIntegration('NUVEMSHOP');
    const channel = new FakeChannel();
    const order: ChannelOrder = {
      externalId: '5001',
      packId: null,
      status: 'PAID',
      total: '20.00',
      lines: [
        { sku: 'X', quantity: 1, unitPrice: '10.00' },
        { sku: 'X', quantity: 1, unitPrice: '10.00' },
      ],
      createdAt: at(1),
      updatedAt: at(1),
    };
    const pending: ChannelOrder = { ...order, externalId: '5002', status: 'PENDING', updatedAt: at(2) };
    channel.orders = [order, pending, order];
    const first = await run('ORDERS', channelRow, channel);
    expect(first.ledger.map((e) => [e.item_key, e.action])).toEqual([
      ['5001', 'import'],
      ['5001', 'reserve'],
      ['5002', 'import'],
    ]);
    await run('ORDERS', channelRow, channel, { fullSync: true });
    const orders = await testDb.db
      .selectFrom('hub_orders')
      .select(['external_id', 'status'])
      .orderBy('external_id')
      .execute();
    expect(orders).toEqual([
      { external_id: '5001', status: 'PAID' },
      { external_id: '5002', status: 'PENDING' },
    ]);
    const reservations = await testDb.db.selectFrom('hub_reservations').select(['sku', 'quantity']).execute();
    expect(reservations).toEqual([{ sku: 'X', quantity: 2 }]);

    const erp = new FakeErp();
    const exported = await run('ORDERS', erpRow, erp);
    expect(erp.importCalls.map((c) => [c.order.externalId, c.order.channel])).toEqual([
      ['5001', 'NUVEMSHOP'],
    ]);
    expect(exported.ledger).toMatchObject([{ item_key: '5001', action: 'export', outcome: 'ok' }]);
    const stored = await testDb.db
      .selectFrom('hub_orders')
      .select('erp_id')
      .where('external_id', '=', '5001')
      .executeTakeFirst();
    expect(stored?.erp_id).toBe('erp-1');

    await run('ORDERS', erpRow, erp);
    expect(erp.importCalls).toHaveLength(1);
  });

  it('exports the orders of one pack (a cart purchase) as one ERP order numbered by the pack', async () => {
    const erpRow = await newIntegration('BLING');
    const channelRow = await newIntegration('MERCADO_LIVRE');
    const channel = new FakeChannel();
    const base: ChannelOrder = {
      externalId: '7001',
      packId: '2000000001',
      status: 'PAID',
      total: '10.10',
      lines: [{ sku: 'A', quantity: 1, unitPrice: '10.10' }],
      createdAt: at(1),
      updatedAt: at(1),
    };
    const sibling: ChannelOrder = {
      ...base,
      externalId: '7002',
      total: '5.25',
      lines: [{ sku: 'B', quantity: 2, unitPrice: '2.625' }],
      createdAt: at(2),
      updatedAt: at(2),
    };
    const alone: ChannelOrder = { ...base, externalId: '7003', packId: null, updatedAt: at(3) };
    channel.orders = [base, sibling, alone];
    await run('ORDERS', channelRow, channel);

    const erp = new FakeErp();
    const exported = await run('ORDERS', erpRow, erp);
    expect(
      erp.importCalls.map((c) => ({
        id: c.order.externalId,
        total: c.order.total,
        skus: c.order.lines.map((l) => l.sku),
      })),
    ).toEqual([
      { id: '2000000001', total: '15.35', skus: ['A', 'B'] },
      { id: '7003', total: '10.10', skus: ['A'] },
    ]);
    expect(exported.ledger.map((e) => [e.item_key, e.outcome])).toEqual([
      ['7001', 'ok'],
      ['7002', 'ok'],
      ['7003', 'ok'],
    ]);
    const stored = await testDb.db
      .selectFrom('hub_orders')
      .select(['external_id', 'erp_id'])
      .orderBy('external_id')
      .execute();
    expect(stored).toEqual([
      { external_id: '7001', erp_id: 'erp-1' },
      { external_id: '7002', erp_id: 'erp-1' },
      { external_id: '7003', erp_id: 'erp-2' },
    ]);
    await run('ORDERS', erpRow, erp);
    expect(erp.importCalls).toHaveLength(2);
  });

  it('a retry reruns only the items that failed', async () => {
    const erpRow = await newIntegration('BLING');
    const channelRow = await newIntegration('NUVEMSHOP');
    const erp = new FakeErp();
    erp.products = [product('R1', '1.00', 1), product('R2', '1.00', 1), product('R3', '1.00', 1)];
    await run('PRODUCTS', erpRow, erp);
    const channel = new FakeChannel();
    channel.failSkus.add('R2');
    const first = await run('PRODUCTS', channelRow, channel);
    expect(first.result.details).toMatchObject({
      outcome: 'partial',
      failedItems: [{ key: 'R2', code: 'INVALID_NAME' }],
    });
    const failed = await listFailedItemKeys(testDb.db, first.job.id, 100);
    expect(failed).toEqual(['R2']);

    channel.failSkus.clear();
    channel.upsertCalls = [];
    // R3's name changes meanwhile: a rerun of the failed items still sends only R2.
    erp.products = [...erp.products, { ...product('R3', '1.00', 5), name: 'renamed' }];
    await run('PRODUCTS', erpRow, erp);
    const retry = await run('PRODUCTS', channelRow, channel, { onlyItems: failed });
    expect(channel.upsertCalls.map((c) => c.items.map((i) => i.sku))).toEqual([['R2']]);
    expect(retry.result.details).toMatchObject({ outcome: 'success', onlyItems: 1 });
  });
});
