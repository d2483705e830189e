/**
 * End to end through the hub, against the Bling, Mercado Livre and Nuvemshop emulators: jobs queued over GraphQL
 * and run by a real worker with the production connectors. A full cycle (ERP products and stock → hub → both
 * channels; channel orders → hub → ERP) ends with equal data everywhere; a SKU one channel refuses leaves its job
 * COMPLETED with a partial outcome and a retry reruns only that SKU; orders seen twice (overlapping runs, a retried
 * job after a lost ERP reply) are imported once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { listLedgerEntries } from '../../db/queries/item-ledger.ts';
import {
  BLING_STORES,
  createPlatformIntegrations,
  mlListings,
  nuvemshopListings,
  queueSyncJob,
  runSyncJob,
  startPlatforms,
  waitForEnd,
  type PlatformIntegrationIds,
  type Platforms,
} from '../helpers/platforms.ts';
import { gql, startTestStack, type TestStack } from '../helpers/stack.ts';

let stack: TestStack;
let p: Platforms;
let ids: PlatformIntegrationIds;

/** The ERP's catalog: SKU → name, price and stock in depósito 1 (depósito 2 is not the stock of record). */
const CATALOG = [
  { sku: 'CAM-001', name: 'Camiseta básica', price: '49.90', stock: 10 },
  { sku: 'CAL-002', name: 'Calça jeans', price: '129.00', stock: 5 },
  { sku: 'TEN-003-P', name: 'Tênis corrida P', price: '299.99', stock: 7 },
  { sku: 'TEN-003-G', name: 'Tênis corrida G', price: '299.99', stock: 0 },
  { sku: 'BON-004', name: 'Boné aba reta', price: '39.00', stock: 3 },
  // Mercado Livre refuses a listing without a positive price; Nuvemshop takes it.
  { sku: 'BRI-005', name: 'Brinde adesivo', price: '0.00', stock: 50 },
];
const ML_BUFFER = 1;
const NS_BUFFER = 0;

beforeAll(async () => {
  p = await startPlatforms();
  stack = await startTestStack({ workers: 1 });
  ids = await createPlatformIntegrations(stack.url, p, {
    ml: { safetyBuffer: ML_BUFFER },
    nuvemshop: { safetyBuffer: NS_BUFFER },
  });
  p.bling.seed({
    warehouses: [
      { id: 1, name: 'Geral', default: true },
      { id: 2, name: 'Loja física' },
    ],
    products: [
      { sku: 'CAM-001', name: 'Camiseta básica', price: '49.90' },
      { sku: 'CAL-002', name: 'Calça jeans', price: '129.00' },
      {
        sku: 'TEN-003',
        name: 'Tênis corrida',
        price: '299.99',
        variations: [
          { sku: 'TEN-003-P', name: 'Tênis corrida P' },
          { sku: 'TEN-003-G', name: 'Tênis corrida G' },
        ],
      },
      { sku: 'BON-004', name: 'Boné aba reta', price: '39.00' },
      { sku: 'BRI-005', name: 'Brinde adesivo', price: '0.00' },
    ],
    stock: [
      ...CATALOG.map((c) => ({ sku: c.sku, warehouseId: 1, quantity: c.stock })),
      { sku: 'CAM-001', warehouseId: 2, quantity: 100 },
    ],
  });
  // Partly linked already: Mercado Livre lists CAM-001 and Nuvemshop CAL-002, with stale names and prices.
  p.ml.seed({ items: [{ title: 'Camiseta antiga', price: 10, availableQuantity: 99, sku: 'CAM-001' }] });
  p.nuvemshop.seed({
    id: p.nuvemshopStore.id,
    token: p.nuvemshopStore.token,
    products: [{ name: 'Calça velha', variants: [{ sku: 'CAL-002', price: '1.00', stock: 42 }] }],
  });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await p?.close();
});

const expectedName = (sku: string) => CATALOG.find((c) => c.sku === sku)!.name;

function jobResult(job: { result: unknown }) {
  return job.result as {
    details?: { outcome?: string; failedItems?: { key: string; code: string }[]; failed?: number };
  };
}

describe('hub end to end: Bling → hub → Mercado Livre and Nuvemshop → hub → Bling', () => {
  it('syncs catalog and stock to both channels, imports each channel order once into Bling, and reservations lower the next push', async () => {
    const { url, db } = stack;
    // The ERP first: the hub's catalog and stock come from it.
    await runSyncJob(url, db, ids.bling, 'PRODUCTS');
    await runSyncJob(url, db, ids.bling, 'INVENTORY');

    // Both channels at once (they share nothing but the hub).
    const [mlProducts, nsProducts] = await Promise.all([
      runSyncJob(url, db, ids.ml, 'PRODUCTS'),
      runSyncJob(url, db, ids.nuvemshop, 'PRODUCTS'),
    ]);
    expect(jobResult(nsProducts).details?.outcome).toBe('success');

    // The SKU Mercado Livre refused: the job completed, partial, with that item listed (over GraphQL too).
    expect(mlProducts.status).toBe('COMPLETED');
    expect(jobResult(mlProducts).details?.outcome).toBe('partial');
    expect(jobResult(mlProducts).details?.failedItems?.map((f) => f.key)).toEqual(['BRI-005']);
    const viaApi = await gql<{ job: { status: string; failedItems: number; result: unknown } }>(
      url,
      `query($id: ID!) { job(id: $id) { status failedItems result } }`,
      { id: mlProducts.id },
    );
    expect(viaApi.data?.job.status).toBe('COMPLETED');
    expect(viaApi.data?.job.failedItems).toBe(1);
    expect(jobResult(viaApi.data!.job).details?.failedItems?.[0]?.key).toBe('BRI-005');

    // The item ledger has a row for every SKU the job touched, with its outcome.
    const ledger = await listLedgerEntries(db, { jobId: mlProducts.id }, { limit: 100 });
    const outcomes = new Map(ledger.map((r) => [r.item_key, r.outcome]));
    for (const c of CATALOG) expect(outcomes.has(c.sku), c.sku).toBe(true);
    expect(outcomes.get('BRI-005')).toBe('failed');
    expect(outcomes.get('CAM-001')).toBe('ok');
    expect(ledger.find((r) => r.item_key === 'BRI-005')?.error_code).toBeTruthy();

    // The same over GraphQL: the job's failed item with its code.
    const failedViaApi = await gql<{
      itemLedger: { nodes: { key: string; outcome: string; errorCode: string | null; action: string }[] };
    }>(
      url,
      `query($filter: ItemLedgerFilter) { itemLedger(filter: $filter, first: 50) { nodes { key outcome errorCode action } } }`,
      { filter: { jobId: mlProducts.id, outcome: 'FAILED' } },
    );
    expect(failedViaApi.errors).toBeUndefined();
    expect(failedViaApi.data?.itemLedger.nodes.map((n) => n.key)).toEqual(['BRI-005']);
    expect(failedViaApi.data?.itemLedger.nodes[0]?.errorCode).toBeTruthy();

    // Fixed in the ERP; the retry of the ML job reruns only the failed SKU.
    p.bling.seed({ products: [{ sku: 'BRI-005', name: 'Brinde adesivo', price: '1.50' }] });
    CATALOG.find((c) => c.sku === 'BRI-005')!.price = '1.50';
    await runSyncJob(url, db, ids.bling, 'PRODUCTS');
    const retried = await gql<{ retrySyncJob: { job: { id: string } } }>(
      url,
      `mutation($id: ID!) { retrySyncJob(id: $id) { job { id } } }`,
      { id: mlProducts.id },
    );
    expect(retried.errors).toBeUndefined();
    const retry = await waitForEnd(db, retried.data!.retrySyncJob.job.id);
    expect(jobResult(retry).details?.outcome).toBe('success');
    const retryLedger = await listLedgerEntries(db, { jobId: retry.id }, { limit: 100 });
    expect(new Set(retryLedger.map((r) => r.item_key))).toEqual(new Set(['BRI-005']));
    expect(retryLedger.every((r) => r.outcome === 'ok')).toBe(true);
    // Nuvemshop's copy of the price is refreshed by its next products run.
    await runSyncJob(url, db, ids.nuvemshop, 'PRODUCTS');

    await Promise.all([
      runSyncJob(url, db, ids.ml, 'INVENTORY'),
      runSyncJob(url, db, ids.nuvemshop, 'INVENTORY'),
    ]);

    const ml = mlListings(p);
    const ns = nuvemshopListings(p);
    for (const c of CATALOG) {
      expect(ml.get(c.sku), `ML ${c.sku}`).toEqual({
        name: expectedName(c.sku),
        price: c.price,
        available: Math.max(0, c.stock - ML_BUFFER),
        copies: 1,
      });
      expect(ns.get(c.sku), `Nuvemshop ${c.sku}`).toEqual({
        name: expectedName(c.sku),
        price: c.price,
        available: Math.max(0, c.stock - NS_BUFFER),
        copies: 1,
      });
    }

    // Orders on both channels, on the listings the hub made.
    const mlItemOf = (sku: string) => p.ml.state.items.all().find((i) => i.sku === sku)!.id;
    const now = p.ml.clock.now();
    const mlSeeded = p.ml.seed({
      orders: [
        {
          status: 'paid',
          updatedAt: now - 60_000,
          lines: [{ itemId: mlItemOf('CAM-001'), sku: 'CAM-001', quantity: 2, unitPrice: 49.9 }],
        },
        {
          status: 'paid',
          updatedAt: now - 50_000,
          lines: [{ itemId: mlItemOf('TEN-003-P'), sku: 'TEN-003-P', quantity: 3, unitPrice: 299.99 }],
        },
        {
          status: 'cancelled',
          updatedAt: now - 40_000,
          lines: [{ itemId: mlItemOf('BON-004'), sku: 'BON-004', quantity: 1, unitPrice: 39 }],
        },
      ],
    });
    const [nsSeeded] = p.nuvemshop.seed({
      id: p.nuvemshopStore.id,
      token: p.nuvemshopStore.token,
      orders: [
        { payment_status: 'paid', updatedAt: now - 30_000, products: [{ sku: 'CAL-002', quantity: 1 }] },
        { payment_status: 'paid', updatedAt: now - 20_000, products: [{ sku: 'CAM-001', quantity: 1 }] },
        { payment_status: 'pending', updatedAt: now - 10_000, products: [{ sku: 'BON-004', quantity: 2 }] },
      ],
    });
    const mlPaid = mlSeeded.orders.slice(0, 2).map(String);
    const nsPaid = nsSeeded!.orders.slice(0, 2).map((o) => String(o.id));

    await Promise.all([runSyncJob(url, db, ids.ml, 'ORDERS'), runSyncJob(url, db, ids.nuvemshop, 'ORDERS')]);
    await runSyncJob(url, db, ids.bling, 'ORDERS');

    const blingOrders = () => p.bling.orders();
    const byStore = (store: number) =>
      blingOrders()
        .filter((o) => o.loja.id === store)
        .map((o) => o.numeroLoja)
        .sort();
    expect(byStore(BLING_STORES.MERCADO_LIVRE)).toEqual([...mlPaid].sort());
    expect(byStore(BLING_STORES.NUVEMSHOP)).toEqual([...nsPaid].sort());
    const imported = blingOrders().find((o) => o.numeroLoja === mlPaid[1]);
    expect(imported?.itens.map((i) => [i.codigo, i.quantidade])).toEqual([['TEN-003-P', 3]]);

    // Reservations (paid orders from both channels) lower what the next push shows; the cancelled and the
    // pending orders hold nothing.
    const reserved: Record<string, number> = { 'CAM-001': 3, 'TEN-003-P': 3, 'CAL-002': 1 };
    await Promise.all([
      runSyncJob(url, db, ids.ml, 'INVENTORY'),
      runSyncJob(url, db, ids.nuvemshop, 'INVENTORY'),
    ]);
    const mlAfter = mlListings(p);
    const nsAfter = nuvemshopListings(p);
    for (const c of CATALOG) {
      const held = reserved[c.sku] ?? 0;
      expect(mlAfter.get(c.sku)?.available, `ML ${c.sku}`).toBe(Math.max(0, c.stock - held - ML_BUFFER));
      expect(nsAfter.get(c.sku)?.available, `Nuvemshop ${c.sku}`).toBe(
        Math.max(0, c.stock - held - NS_BUFFER),
      );
    }
  }, 50_000);

  it('imports an order seen twice once: overlapping runs with a tie at the watermark, and a retried export after a lost reply', async () => {
    const { url, db } = stack;
    const before = p.bling.orders().length;
    const item = p.ml.state.items.all().find((i) => i.sku === 'CAL-002')!;
    const now = p.ml.clock.now();
    // Two orders with the same second: a tie at the watermark.
    const seeded = p.ml.seed({
      orders: [1, 2].map((n) => ({
        status: 'paid',
        updatedAt: now - 5_000,
        lines: [{ itemId: item.id, sku: 'CAL-002', quantity: n, unitPrice: 129 }],
      })),
    });
    const fresh = seeded.orders.map(String);

    // The channel read twice (the second run re-reads the overlap before the watermark).
    await runSyncJob(url, db, ids.ml, 'ORDERS');
    const again = await runSyncJob(url, db, ids.ml, 'ORDERS');
    const seenAgain = await listLedgerEntries(db, { jobId: again.id }, { limit: 100 });
    for (const id of fresh) {
      expect(seenAgain.find((r) => r.item_key === id)).toMatchObject({
        outcome: 'skipped',
        error_code: 'DUPLICATE',
      });
    }
    const rows = await db
      .selectFrom('hub_orders')
      .select(['external_id'])
      .where('integration_id', '=', ids.ml)
      .where('external_id', 'in', fresh)
      .execute();
    expect(rows.map((r) => r.external_id).sort()).toEqual([...fresh].sort());
    const held = await db
      .selectFrom('hub_reservations as r')
      .innerJoin('hub_orders as o', 'o.id', 'r.order_id')
      .select([sql<number>`sum(r.quantity)::int`.as('qty')])
      .where('o.external_id', 'in', fresh)
      .executeTakeFirstOrThrow();
    expect(held.qty).toBe(3);

    // Bling took the first order but its reply was lost (socket reset after the write): the attempt fails, the
    // job's retry finds the order by numeroLoja instead of creating it again.
    p.bling.faults.add({
      method: 'POST',
      path: '^/Api/v3/pedidos/vendas$',
      nth: 1,
      reset: true,
      afterHandler: true,
    });
    const exportJob = await queueSyncJob(url, ids.bling, 'ORDERS', {});
    const done = await waitForEnd(db, exportJob, 40_000);
    // The first attempt failed on the lost reply; the second completed.
    expect(done.attempts).toBe(2);
    // And a second export run finds nothing left to send.
    await runSyncJob(url, db, ids.bling, 'ORDERS');

    const all = p.bling.orders();
    expect(all.length).toBe(before + 2);
    for (const id of fresh) {
      expect(all.filter((o) => o.numeroLoja === id && o.loja.id === BLING_STORES.MERCADO_LIVRE)).toHaveLength(
        1,
      );
    }
    const numbers = all.map((o) => `${o.loja.id}:${o.numeroLoja}`);
    expect(new Set(numbers).size).toBe(numbers.length);
    const posts = p.bling.requests
      .all()
      .filter((r) => r.method === 'POST' && r.path === '/Api/v3/pedidos/vendas');
    expect(posts.filter((r) => r.fault !== undefined)).toHaveLength(1);
  }, 50_000);
});
