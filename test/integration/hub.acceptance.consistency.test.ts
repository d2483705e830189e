/**
 * End to end through the hub, against the platform emulators, about consistency: orders arriving on a channel
 * while stock pushes run never make the channel show more than on hand − reserved, nor anything negative; and an
 * incremental read from the watermark finds records stamped in the watermark's second and records a list showed
 * only late.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPlatformIntegrations,
  nuvemshopListings,
  queueSyncJob,
  runSyncJob,
  startPlatforms,
  waitForEnd,
  type PlatformIntegrationIds,
  type Platforms,
} from '../helpers/platforms.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';

let stack: TestStack;
let p: Platforms;
let ids: PlatformIntegrationIds;

beforeAll(async () => {
  p = await startPlatforms();
  stack = await startTestStack({ workers: 1, env: { WORKER_CONCURRENCY: '4' } });
  ids = await createPlatformIntegrations(stack.url, p);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await p?.close();
});

/** Stock values written to one Nuvemshop variant, in the order the emulator took them. */
function stockWrites(variantId: number): number[] {
  const out: number[] = [];
  for (const r of p.nuvemshop.requests.all()) {
    if (r.method !== 'PUT' || r.status >= 300) continue;
    const bodies = Array.isArray(r.body) ? r.body : [r.body];
    for (const b of bodies as { id?: unknown; stock?: unknown }[]) {
      const forVariant =
        b?.id === variantId || (b?.id === undefined && r.path.endsWith(`/variants/${variantId}`));
      if (forVariant && typeof b.stock === 'number') out.push(b.stock);
    }
  }
  return out;
}

async function hubAvailable(sku: string): Promise<{ onHand: number; reserved: number }> {
  const row = await sql<{ on_hand: number; reserved: number }>`
    SELECT COALESCE((SELECT sum(on_hand) FROM hub_stock WHERE sku = ${sku}), 0)::int AS on_hand,
           COALESCE((SELECT sum(quantity) FROM hub_reservations WHERE sku = ${sku}), 0)::int AS reserved`.execute(
    stack.db,
  );
  return { onHand: row.rows[0]!.on_hand, reserved: row.rows[0]!.reserved };
}

describe('hub end to end: consistency', () => {
  it('never shows a channel more than on hand − reserved, nor below zero, while orders arrive during stock pushes', async () => {
    const { url, db } = stack;
    const sku = 'RACE-001';
    const ON_HAND = 5;
    p.bling.seed({
      products: [{ sku, name: 'Produto disputado', price: '20.00' }],
      stock: [{ sku, warehouseId: 1, quantity: ON_HAND }],
    });
    await runSyncJob(url, db, ids.bling, 'PRODUCTS');
    await runSyncJob(url, db, ids.bling, 'INVENTORY');
    await runSyncJob(url, db, ids.nuvemshop, 'PRODUCTS');
    await runSyncJob(url, db, ids.nuvemshop, 'INVENTORY');
    expect(nuvemshopListings(p).get(sku)?.available).toBe(ON_HAND);
    const variantId = p.nuvemshop.state
      .store(p.nuvemshopStore.id)!
      .products.all()
      .flatMap((x) => x.variants)
      .find((v) => v.sku === sku)!.id;

    // Buyers keep ordering (2 units at a time, 8 in all on 5 on hand) while order imports and stock pushes run
    // side by side.
    const shown: { pushed: number; reservedBefore: number }[] = [];
    for (let round = 0; round < 4; round++) {
      p.nuvemshop.seed({
        id: p.nuvemshopStore.id,
        token: p.nuvemshopStore.token,
        orders: [{ payment_status: 'paid', products: [{ sku, quantity: 2 }] }],
      });
      const reservedBefore = (await hubAvailable(sku)).reserved;
      const writesBefore = stockWrites(variantId).length;
      const jobs = await Promise.all([
        queueSyncJob(url, ids.nuvemshop, 'ORDERS'),
        queueSyncJob(url, ids.nuvemshop, 'INVENTORY'),
        queueSyncJob(url, ids.nuvemshop, 'INVENTORY'),
      ]);
      await Promise.all(jobs.map((id) => waitForEnd(db, id)));
      for (const pushed of stockWrites(variantId).slice(writesBefore)) shown.push({ pushed, reservedBefore });
      const { onHand, reserved } = await hubAvailable(sku);
      expect(reserved).toBe(2 * (round + 1));
      expect(onHand).toBe(ON_HAND);
    }
    // Once the orders of the round are in, the next push settles on what is left.
    await runSyncJob(url, db, ids.nuvemshop, 'INVENTORY');

    expect(shown.length).toBeGreaterThanOrEqual(2);
    // Every value written was ≥ 0 and at most what was available before the round's orders were reserved.
    for (const s of shown) {
      expect(s.pushed).toBeGreaterThanOrEqual(0);
      expect(s.pushed).toBeLessThanOrEqual(Math.max(0, ON_HAND - s.reservedBefore));
    }
    // The hub's available never goes below zero although 8 units were ordered on 5, and the channel ends at it.
    const { onHand, reserved } = await hubAvailable(sku);
    expect(reserved).toBe(8);
    const pushedRows = await db
      .selectFrom('hub_links')
      .select('pushed_stock')
      .where('integration_id', '=', ids.nuvemshop)
      .where('sku', '=', sku)
      .executeTakeFirstOrThrow();
    expect(pushedRows.pushed_stock).toBe(Math.max(0, onHand - reserved));
    expect(nuvemshopListings(p).get(sku)?.available).toBe(0);
    expect(stockWrites(variantId).every((v) => v >= 0)).toBe(true);
  }, 55_000);

  it('finds, from the watermark, records stamped in its second and records listed only late', async () => {
    const { url, db } = stack;
    const clock = p.bling.clock;
    const t = Math.floor(clock.now() / 1000) * 1000 - 20_000;
    p.bling.seed({
      products: [
        { sku: 'TIE-A', name: 'A', price: '1.00', updatedAt: t + 100 },
        { sku: 'TIE-B', name: 'B', price: '1.00', updatedAt: t + 900 },
      ],
    });
    await runSyncJob(url, db, ids.bling, 'PRODUCTS');
    const watermark = await db
      .selectFrom('sync_watermarks')
      .selectAll()
      .where('integration_id', '=', ids.bling)
      .where('resource', '=', 'products')
      .executeTakeFirstOrThrow();
    expect(new Date(watermark.watermark as unknown as string).getTime()).toBeGreaterThanOrEqual(t);

    // Written after that run: C in the watermark's very second; E now; D stamped like E but committed late, so
    // lists show it only after a lag.
    p.bling.seed({ products: [{ sku: 'TIE-C', name: 'C', price: '1.00', updatedAt: t + 500 }] });
    p.bling.seed({ products: [{ sku: 'LATE-E', name: 'E', price: '1.00' }] });
    const stampE = clock.now();
    p.bling.seed({ config: { lagMs: 3000 } });
    // C and E were written long enough ago to be listed.
    clock.advance(3500);
    p.bling.seed({ products: [{ sku: 'LATE-D', name: 'D', price: '1.00', updatedAt: stampE - 1000 }] });

    await runSyncJob(url, db, ids.bling, 'PRODUCTS');
    const afterSecond = await db.selectFrom('hub_products').select('sku').execute();
    expect(afterSecond.map((r) => r.sku)).toEqual(
      expect.arrayContaining(['TIE-A', 'TIE-B', 'TIE-C', 'LATE-E']),
    );
    expect(afterSecond.map((r) => r.sku)).not.toContain('LATE-D');

    // D shows up in lists; the watermark has already passed its stamp, yet the next run still reads it.
    clock.advance(3500);
    const third = await runSyncJob(url, db, ids.bling, 'PRODUCTS');
    const all = await db.selectFrom('hub_products').select(['sku', 'name']).execute();
    expect(new Map(all.map((r) => [r.sku, r.name]))).toEqual(
      new Map([
        ['RACE-001', 'Produto disputado'],
        ['TIE-A', 'A'],
        ['TIE-B', 'B'],
        ['TIE-C', 'C'],
        ['LATE-E', 'E'],
        ['LATE-D', 'D'],
      ]),
    );
    expect((third.result as { details?: { mode?: string } }).details?.mode).toBe('incremental');
    p.bling.seed({ config: { lagMs: 0 } });
  }, 30_000);
});
