import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSandboxProducts, seedSandboxStore, touchSandboxProducts } from '../../db/queries/sandbox.ts';
import { getWatermark } from '../../db/queries/watermark.ts';
import type { Integration, JobType, SyncJob } from '../../db/types.ts';
import type { Connector } from '../../server/connectors/connector.ts';
import { createConnector } from '../../server/connectors/index.ts';
import {
  sandboxSettingsSchema,
  type SandboxSettingsInput,
} from '../../server/connectors/sandbox-settings.ts';
import { TransientError } from '../../server/errors.ts';
import { allHandler } from '../../server/handlers/all.ts';
import { cleanupHandler } from '../../server/handlers/cleanup.ts';
import {
  syncOptionsSchema,
  type HandlerContext,
  type JobHandler,
  type ProgressUpdate,
  type SyncOptions,
} from '../../server/handlers/handler.ts';
import { inventoryHandler } from '../../server/handlers/inventory.ts';
import { ordersHandler } from '../../server/handlers/orders.ts';
import { productsHandler } from '../../server/handlers/products.ts';
import { getHandler, handlers } from '../../server/handlers/registry.ts';
import type { ResourceDetails } from '../../server/handlers/resource-sync.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase();
});

afterAll(async () => {
  await testDb.drop();
});

async function createSandbox(settings: SandboxSettingsInput): Promise<Integration> {
  const integration = await testDb.db
    .insertInto('integrations')
    .values({
      name: 'Sandbox',
      platform: 'SANDBOX',
      settings: JSON.stringify({ latencyMs: 0, ...settings }),
      credentials: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await seedSandboxStore(testDb.db, integration.id, sandboxSettingsSchema.parse(settings));
  return integration;
}

function jobFor(integration: Integration, type: JobType, options: SyncOptions): SyncJob {
  const now = new Date();
  return {
    id: crypto.randomUUID(),
    integration_id: integration.id,
    sync_type: type,
    priority: 'NORMAL',
    origin: 'API',
    queue: 'default',
    status: 'RUNNING',
    options: { ...options },
    idempotency_key: null,
    dedup_key: null,
    progress: 0,
    processed_items: 0,
    total_items: null,
    failed_items: 0,
    message: null,
    result: null,
    error: null,
    attempts: 1,
    max_attempts: 3,
    run_at: null,
    cancel_requested_at: null,
    worker_id: 'test',
    heartbeat_at: now,
    created_at: now,
    started_at: now,
    finished_at: null,
    updated_at: now,
    version: 1,
    retry_of: null,
    parent_id: null,
    child_count: null,
    children_finished: 0,
    children_failed: 0,
    children_cancelled: 0,
  };
}

interface Run {
  ctx: HandlerContext<SyncOptions>;
  updates: ProgressUpdate[];
  controller: AbortController;
}

function contextFor(
  handler: JobHandler<SyncOptions>,
  integration: Integration,
  options: Partial<SyncOptions> = {},
  setup: {
    connector?: (base: Connector) => Connector;
    onProgress?: (update: ProgressUpdate, run: Run) => void;
  } = {},
): Run {
  const parsed = syncOptionsSchema.parse(options);
  const base = createConnector(testDb.db, integration);
  const controller = new AbortController();
  const updates: ProgressUpdate[] = [];
  const run: Run = {
    controller,
    updates,
    ctx: {
      job: jobFor(integration, handler.type, parsed),
      options: parsed,
      integration,
      connector: setup.connector ? setup.connector(base) : base,
      db: testDb.db,
      signal: controller.signal,
      progress: (update) => {
        updates.push(update);
        setup.onProgress?.(update, run);
      },
      log: pino({ level: 'silent' }),
    },
  };
  return run;
}

async function runHandler(
  handler: JobHandler<SyncOptions>,
  integration: Integration,
  options: Partial<SyncOptions> = {},
) {
  const run = contextFor(handler, integration, options);
  const result = await handler.run(run.ctx);
  return { result, details: result.details as unknown as ResourceDetails, updates: run.updates };
}

/** Listings whose name or price differ from the product they were synced from (or that are missing). */
async function listingsOutOfDate(integrationId: string): Promise<number> {
  const result = await sql<{ count: number }>`
    SELECT count(*) AS count FROM sandbox_products p
      LEFT JOIN sandbox_listings l ON l.integration_id = p.integration_id AND l.sku = p.sku
     WHERE p.integration_id = ${integrationId}::uuid
       AND (l.sku IS NULL OR (l.name, l.price) IS DISTINCT FROM (p.name, p.price))
  `.execute(testDb.db);
  return result.rows[0]?.count ?? -1;
}

async function countRows(table: 'sandbox_listings' | 'sandbox_imported_orders', integrationId: string) {
  const row = await testDb.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('integration_id', '=', integrationId)
    .executeTakeFirstOrThrow();
  return row.count;
}

function expectMonotonic(updates: ProgressUpdate[]): void {
  const processed = updates.map((u) => u.processed);
  expect(processed).toEqual([...processed].sort((a, b) => a - b));
}

describe('products handler', () => {
  it('creates every listing on a full sync, then processes only the overlap on an incremental run', async () => {
    const integration = await createSandbox({ products: 20, variantsPerProduct: 2, pageSize: 7 });

    const first = await runHandler(productsHandler, integration, { fullSync: true, batchSize: 10 });

    expect(first.result).toMatchObject({ processed: 40, total: 40, failed: 0 });
    expect(first.details).toMatchObject({
      mode: 'full',
      created: 40,
      updated: 0,
      unchanged: 0,
      failedKeys: [],
    });
    expect(await listingsOutOfDate(integration.id)).toBe(0);
    expect(first.updates[0]).toMatchObject({ processed: 0, total: 40, failed: 0 });
    expect(first.updates.at(-1)).toMatchObject({ processed: 40, total: 40, failed: 0 });
    expectMonotonic(first.updates);
    const newest = (await listSandboxProducts(testDb.db, integration.id, { limit: 100 })).at(-1);
    expect(await getWatermark(testDb.db, integration.id, 'products')).toEqual(newest?.updatedAt);

    const second = await runHandler(productsHandler, integration, { batchSize: 10 });

    // Only the newest product's two variants fall within the one-second overlap; both are already up to date.
    expect(second.details).toMatchObject({ mode: 'incremental', created: 0, updated: 0, failed: 0 });
    expect(second.result.processed).toBeLessThanOrEqual(2);
    expect(second.details.unchanged).toBe(second.result.processed);
    expect(second.result.total).toBe(second.result.processed);
  });

  it('picks up merchant edits on the next incremental run', async () => {
    const integration = await createSandbox({ products: 20, variantsPerProduct: 2 });
    await runHandler(productsHandler, integration, { batchSize: 15 });
    const touched = await touchSandboxProducts(testDb.db, integration.id, 5);
    expect(await listingsOutOfDate(integration.id)).toBe(5);

    const { result, details } = await runHandler(productsHandler, integration, { batchSize: 15 });

    expect(result.processed).toBeGreaterThanOrEqual(5);
    expect(result.processed).toBeLessThan(40);
    expect(details).toMatchObject({ mode: 'incremental', created: 0, updated: 5, failed: 0 });
    expect(await listingsOutOfDate(integration.id)).toBe(0);
    const touchedProducts = await testDb.db
      .selectFrom('sandbox_products')
      .select('updated_at')
      .where('integration_id', '=', integration.id)
      .where('sku', 'in', touched)
      .execute();
    const touchedAt = Math.max(...touchedProducts.map((p) => p.updated_at.getTime()));
    expect((await getWatermark(testDb.db, integration.id, 'products'))?.getTime()).toBe(touchedAt);
  });

  it('writes nothing and leaves the watermark alone in a dry run, while reporting what it would do', async () => {
    const integration = await createSandbox({ products: 20, variantsPerProduct: 2, orders: 12 });

    const products = await runHandler(productsHandler, integration, { dryRun: true });
    const orders = await runHandler(ordersHandler, integration, { dryRun: true });

    expect(products.details).toMatchObject({ dryRun: true, processed: 40, created: 40, watermark: null });
    expect(products.result.message).toMatch(/^Dry run/);
    expect(orders.details).toMatchObject({ dryRun: true, processed: 12, created: 12 });
    expect(await countRows('sandbox_listings', integration.id)).toBe(0);
    expect(await countRows('sandbox_imported_orders', integration.id)).toBe(0);
    expect(await getWatermark(testDb.db, integration.id, 'products')).toBeUndefined();
    expect(await getWatermark(testDb.db, integration.id, 'orders')).toBeUndefined();
  });

  it('writes in batches of batchSize, across page boundaries, reporting progress after each', async () => {
    const integration = await createSandbox({ products: 23, variantsPerProduct: 2, pageSize: 7 });
    const upsertSizes: number[] = [];
    const run = contextFor(
      productsHandler,
      integration,
      { batchSize: 10 },
      {
        connector: (base) => ({
          ...base,
          upsertListings: (items, opts) => {
            upsertSizes.push(items.length);
            return base.upsertListings(items, opts);
          },
        }),
      },
    );

    const result = await productsHandler.run(run.ctx);

    expect(upsertSizes).toEqual([10, 10, 10, 10, 6]);
    expect(run.updates.map((u) => u.processed)).toEqual([0, 10, 20, 30, 40, 46]);
    expect(result.processed).toBe(46);
    expect(await countRows('sandbox_listings', integration.id)).toBe(46);
  });

  it('stops between batches when aborted, throwing the abort reason and keeping what was written', async () => {
    const integration = await createSandbox({ products: 25, variantsPerProduct: 2 });
    const reason = new Error('cancel requested');
    let upserts = 0;
    const run = contextFor(
      productsHandler,
      integration,
      { batchSize: 10 },
      {
        connector: (base) => ({
          ...base,
          upsertListings: (items, opts) => {
            upserts += 1;
            return base.upsertListings(items, opts);
          },
        }),
        onProgress: (update, { controller }) => {
          if (update.processed >= 20) controller.abort(reason);
        },
      },
    );

    await expect(productsHandler.run(run.ctx)).rejects.toBe(reason);

    expect(upserts).toBe(2);
    expect(run.updates.at(-1)).toMatchObject({ processed: 20, total: 50, failed: 0 });
    expect(await countRows('sandbox_listings', integration.id)).toBe(20);
    const firstTwenty = await listSandboxProducts(testDb.db, integration.id, { limit: 20 });
    expect(await getWatermark(testDb.db, integration.id, 'products')).toEqual(firstTwenty.at(-1)?.updatedAt);
  });

  it('counts items the platform rejects as failed and keeps going', async () => {
    const integration = await createSandbox({ products: 10, variantsPerProduct: 2 });
    await sql`
      UPDATE sandbox_products SET name = '  '
       WHERE integration_id = ${integration.id}::uuid AND sku IN ('SBX-00003-V1', 'SBX-00007-V2')
    `.execute(testDb.db);

    const { result, details, updates } = await runHandler(productsHandler, integration, { batchSize: 4 });

    expect(result).toMatchObject({ processed: 20, failed: 2 });
    expect(details.failedKeys.sort()).toEqual(['SBX-00003-V1', 'SBX-00007-V2']);
    expect(details.created).toBe(18);
    expect(updates.at(-1)).toMatchObject({ processed: 20, failed: 2 });
    expect(await countRows('sandbox_listings', integration.id)).toBe(18);
  });

  it('lets a TransientError from the platform propagate so the runner can retry', async () => {
    const integration = await createSandbox({ products: 5, failureRate: 1 });

    const run = contextFor(productsHandler, integration);
    const failure = await productsHandler.run(run.ctx).catch((err: unknown) => err);

    expect(failure).toBeInstanceOf(TransientError);
    expect(failure).toMatchObject({ code: 'PLATFORM_UNAVAILABLE' });
    expect(await countRows('sandbox_listings', integration.id)).toBe(0);
    expect(await getWatermark(testDb.db, integration.id, 'products')).toBeUndefined();
  });
});

describe('inventory handler', () => {
  it('pushes stock summed over warehouses to the listings', async () => {
    const integration = await createSandbox({ products: 12, variantsPerProduct: 2, warehouses: 3 });
    await runHandler(productsHandler, integration);

    const { result, details } = await runHandler(inventoryHandler, integration, { batchSize: 7 });

    expect(result).toMatchObject({ processed: 24, total: 24, failed: 0 });
    expect(details).toMatchObject({ resource: 'inventory', updated: 24, created: 0 });
    const mismatches = await sql<{ sku: string }>`
      SELECT s.sku FROM (
        SELECT sku, sum(quantity) AS quantity FROM sandbox_stock
         WHERE integration_id = ${integration.id}::uuid GROUP BY sku
      ) AS s
      LEFT JOIN sandbox_listings l ON l.integration_id = ${integration.id}::uuid AND l.sku = s.sku
      WHERE l.quantity IS DISTINCT FROM s.quantity
    `.execute(testDb.db);
    expect(mismatches.rows).toEqual([]);
    expect(await listingsOutOfDate(integration.id)).toBe(0);
    expect(await getWatermark(testDb.db, integration.id, 'inventory')).toBeInstanceOf(Date);
  });
});

describe('orders handler', () => {
  it('imports orders idempotently and updates only those whose status changed', async () => {
    const integration = await createSandbox({ products: 5, orders: 25 });

    const first = await runHandler(ordersHandler, integration, { fullSync: true, batchSize: 10 });
    const second = await runHandler(ordersHandler, integration, { fullSync: true, batchSize: 10 });

    expect(first.details).toMatchObject({ processed: 25, created: 25, updated: 0, unchanged: 0 });
    expect(second.details).toMatchObject({ processed: 25, created: 0, updated: 0, unchanged: 25 });
    expect(await countRows('sandbox_imported_orders', integration.id)).toBe(25);

    await sql`
      UPDATE sandbox_orders SET status = 'refunded', updated_at = now()
       WHERE integration_id = ${integration.id}::uuid AND external_id = 'ORD-000007'
    `.execute(testDb.db);
    const third = await runHandler(ordersHandler, integration, { batchSize: 10 });

    expect(third.details).toMatchObject({ mode: 'incremental', created: 0, updated: 1 });
    expect(await countRows('sandbox_imported_orders', integration.id)).toBe(25);
    const imported = await testDb.db
      .selectFrom('sandbox_imported_orders')
      .select('status')
      .where('integration_id', '=', integration.id)
      .where('external_id', '=', 'ORD-000007')
      .executeTakeFirstOrThrow();
    expect(imported.status).toBe('refunded');
  });
});

describe('all handler', () => {
  it('runs products, inventory and orders in one job with aggregated progress and per-resource details', async () => {
    const integration = await createSandbox({
      products: 10,
      variantsPerProduct: 2,
      warehouses: 2,
      orders: 15,
    });
    const run = contextFor(allHandler, integration, { batchSize: 8 });

    const result = await allHandler.run(run.ctx);

    expect(result).toMatchObject({ processed: 55, total: 55, failed: 0 });
    const details = result.details as Record<string, ResourceDetails>;
    expect(Object.keys(details)).toEqual(['products', 'inventory', 'orders']);
    expect(details.products).toMatchObject({ processed: 20, created: 20 });
    expect(details.inventory).toMatchObject({ processed: 20, updated: 20 });
    expect(details.orders).toMatchObject({ processed: 15, created: 15 });
    expect(run.updates.every((u) => u.total === 55)).toBe(true);
    expect(run.updates.at(-1)).toMatchObject({ processed: 55, failed: 0 });
    expectMonotonic(run.updates);
    expect(await listingsOutOfDate(integration.id)).toBe(0);
    expect(await countRows('sandbox_imported_orders', integration.id)).toBe(15);
  });
});

describe('handler registry', () => {
  it('maps each job type to its handler and knows no other type', () => {
    expect(getHandler('PRODUCTS')).toBe(productsHandler);
    expect(getHandler('INVENTORY')).toBe(inventoryHandler);
    expect(getHandler('ORDERS')).toBe(ordersHandler);
    expect(getHandler('ALL')).toBe(allHandler);
    expect(getHandler('CLEANUP')).toBe(cleanupHandler);
    expect(getHandler('toString')).toBeUndefined();
    expect(Object.entries(handlers).every(([type, handler]) => handler.type === type)).toBe(true);
  });
});
