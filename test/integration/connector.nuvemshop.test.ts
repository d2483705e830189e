/**
 * Contract tests of the production Nuvemshop connector, built by its platform definition through the real
 * connector context (HTTP layer with the Redis rate limiter and the Postgres breaker), against the Nuvemshop
 * emulator on port 0.
 */
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBreakerState } from '../../db/queries/integration-breaker.ts';
import { insertIntegration } from '../../db/queries/integration.ts';
import type { Integration } from '../../db/types.ts';
import { createPlatformConnector, type ConnectorDeps } from '../../server/connectors/context.ts';
import { IntegrationPausedError, PlatformAuthError } from '../../server/connectors/http/errors.ts';
import { nuvemshopPlatform } from '../../server/connectors/nuvemshop/index.ts';
import type { ChannelConnector, ChannelOrder } from '../../server/connectors/platform.ts';
import { PermanentError } from '../../server/errors.ts';
import { createLogger } from '../../server/logger.ts';
import { sealCredentials } from '../../server/security/integration-credentials.ts';
import { createKeyring, createSecretBox } from '../../server/security/secrets.ts';
import {
  buildNuvemshopStoreSeed,
  startNuvemshopEmulator,
  type NuvemshopEmulator,
} from '../emulators/nuvemshop/index.ts';
import type { RequestLogEntry } from '../emulators/kit.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createTestRedisPrefix } from '../helpers/redis.ts';

const USER_AGENT = 'Sync Orchestrator (integrations@example.com)';
const log = createLogger({ level: 'silent', name: 'nuvemshop-test' });
const box = createSecretBox(createKeyring(randomBytes(32).toString('base64')));

let testDb: TestDatabase;
let redis: Redis;
let redisPrefix: ReturnType<typeof createTestRedisPrefix>;
let emu: NuvemshopEmulator;
let deps: ConnectorDeps;
let nextStore = 700_000;

beforeAll(async () => {
  testDb = await createTestDatabase();
  redisPrefix = createTestRedisPrefix();
  redis = new Redis(redisPrefix.url);
  emu = await startNuvemshopEmulator();
  deps = {
    db: testDb.db,
    redis,
    redisPrefix: redisPrefix.prefix,
    box,
  };
});

afterAll(async () => {
  await emu?.close();
  redis?.disconnect();
  await redisPrefix?.cleanup();
  await testDb?.drop();
});

/** A fresh store in the emulator and an integration pointing at it. */
async function newStore(
  seed: Partial<Parameters<typeof buildNuvemshopStoreSeed>[0]> = {},
  overrides: { token?: string; settings?: Record<string, unknown> } = {},
): Promise<{ storeId: string; token: string; integration: Integration }> {
  const storeId = String(nextStore++);
  const token = `tok-${storeId}`;
  emu.seed(buildNuvemshopStoreSeed({ products: 0, orders: 0, ...seed, id: storeId, token }));
  const integration = await insertIntegration(testDb.db, {
    name: `nuvemshop ${storeId}`,
    platform: 'NUVEMSHOP',
    enabled: true,
    settings: { baseUrl: emu.baseUrl(), storeId, userAgent: USER_AGENT, ...overrides.settings },
    credentials_sealed: sealCredentials(box, { accessToken: overrides.token ?? token }),
  });
  return { storeId, token, integration };
}

async function connectorFor(integration: Integration, dryRun = false): Promise<ChannelConnector> {
  const connector = await createPlatformConnector(deps, nuvemshopPlatform, integration, { dryRun, log });
  if (connector.role !== 'channel') throw new Error('Nuvemshop must be a channel');
  return connector;
}

const signal = () => AbortSignal.timeout(50_000);
const callsTo = (storeId: string): RequestLogEntry[] =>
  emu.requests.all().filter((e) => e.path.startsWith(`/2025-03/${storeId}/`));

async function readAllOrders(
  connector: ChannelConnector,
  updatedSince: Date | undefined,
  pageSize: number,
): Promise<ChannelOrder[]> {
  const out: ChannelOrder[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 1000; i++) {
    const page = await connector.listOrders({
      ...(updatedSince ? { updatedSince } : {}),
      ...(cursor ? { cursor } : {}),
      pageSize,
      signal: signal(),
    });
    out.push(...page.items);
    if (!page.next) return out;
    cursor = page.next;
  }
  throw new Error('listOrders never reached the last page');
}

/** The largest number of calls in any window, minus what a 40-call bucket leaking 2/s lets through in it. */
function worstBucketExcess(stamps: number[]): number {
  const sorted = [...stamps].sort((a, b) => a - b);
  let worst = -Infinity;
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i; j < sorted.length; j++) {
      const allowed = 40 + (2 * (sorted[j]! - sorted[i]!)) / 1000;
      worst = Math.max(worst, j - i + 1 - allowed);
    }
  }
  return worst;
}

describe('Nuvemshop connector against the emulator', () => {
  it('sends the configured User-Agent and the token on every call; the emulator refuses a call without User-Agent', async () => {
    const { storeId, token, integration } = await newStore({ products: 2, orders: 3 });
    const bare = await new Promise<number>((resolve, reject) => {
      // node:http sends no User-Agent unless told to.
      const req = httpRequest(`${emu.baseUrl()}/${storeId}/store`, {
        headers: { Authentication: `bearer ${token}` },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(bare).toBe(400);

    const connector = await connectorFor(integration);
    await connector.checkAuth(signal());
    const refs = await connector.resolveSkus(['SKU-1-1', 'SKU-2-2', 'NOPE'], signal());
    expect(refs.get('SKU-1-1')).toHaveLength(1);
    expect(refs.get('NOPE')).toEqual([]);
    await readAllOrders(connector, undefined, 2);

    const calls = callsTo(storeId).filter((e) => e.headers['user-agent'] === USER_AGENT);
    const all = callsTo(storeId);
    expect(all.length).toBeGreaterThanOrEqual(6);
    expect(all.filter((e) => e.headers['user-agent'] === undefined)).toHaveLength(1);
    expect(calls).toHaveLength(all.length - 1);
    // Every call was let in: neither the User-Agent (400) nor the token (401) was refused.
    expect(calls.every((e) => e.hasAuthorization && e.status !== 400 && e.status !== 401)).toBe(true);
  });

  it('resolves a SKU held by two variants as ambiguous', async () => {
    const { storeId, token, integration } = await newStore();
    emu.seed({
      id: storeId,
      token,
      products: [
        { name: 'Twins', variants: [{ sku: 'DUP' }, { sku: 'DUP', values: [{ pt: 'B' }] }, { sku: 'ONE' }] },
      ],
    });
    const refs = await (await connectorFor(integration)).resolveSkus(['DUP', 'ONE', 'DUP'], signal());
    expect(refs.get('DUP')).toHaveLength(2);
    expect(refs.get('ONE')).toHaveLength(1);
    expect(callsTo(storeId)).toHaveLength(2);
  });

  it('rejects settings without a User-Agent naming a contact', async () => {
    const { integration } = await newStore({}, { settings: { userAgent: 'node' } });
    await expect(connectorFor(integration)).rejects.toMatchObject({
      constructor: PermanentError,
      code: 'INVALID_SETTINGS',
    });
  });

  it('follows the Link header to the last page with status=any and normalises statuses', async () => {
    const now = emu.clock.now();
    const { storeId, integration } = await newStore({ products: 3, orders: 45, nowMs: now, spreadDays: 2 });
    const connector = await connectorFor(integration);
    const orders = await readAllOrders(connector, new Date(now - 10 * 86_400_000), 10);

    expect(new Set(orders.map((o) => o.externalId)).size).toBe(45);
    expect(orders).toHaveLength(45);
    const pages = callsTo(storeId).filter((e) => e.path.endsWith('/orders'));
    expect(pages.map((e) => e.query.page?.[0])).toEqual(['1', '2', '3', '4', '5']);
    expect(pages.every((e) => e.query.status?.[0] === 'any' && e.query.per_page?.[0] === '10')).toBe(true);
    expect(pages.every((e) => e.query.updated_at_min?.[0] !== undefined)).toBe(true);
    // The seed cycles pending / paid / shipped / cancelled.
    const statuses = new Set(orders.map((o) => o.status));
    expect(statuses).toEqual(new Set(['PENDING', 'PAID', 'SHIPPED', 'CANCELLED']));
    const shipped = orders.find((o) => o.status === 'SHIPPED')!;
    expect(shipped.lines[0]).toMatchObject({
      sku: expect.stringMatching(/^SKU-\d-1$/),
      quantity: expect.any(Number),
    });
    expect(shipped.total).toMatch(/^\d+\.\d{2}$/);
  });

  it('reads an empty store (404 "Last page is 0") as no orders', async () => {
    const { integration } = await newStore({ orders: 0 });
    const connector = await connectorFor(integration);
    await expect(readAllOrders(connector, undefined, 50)).resolves.toEqual([]);
  });

  it('drops the duplicates of a page shift within one read', async () => {
    const now = emu.clock.now();
    const { storeId, integration } = await newStore({ products: 2, orders: 12, nowMs: now, spreadDays: 1 });
    const connector = await connectorFor(integration);
    const first = await connector.listOrders({ pageSize: 5, signal: signal() });
    expect(first.items).toHaveLength(5);
    // A record already read is pushed before the cursor's page by a new write: the next page starts with a repeat.
    const before = await readAllOrders(connector, undefined, 50);
    const oldest = before[0]!;
    emu.seed({
      id: storeId,
      token: `tok-${storeId}`,
      orders: [{ products: [{ sku: 'SKU-1-1', quantity: 1 }], updatedAt: oldest.updatedAt.getTime() - 1000 }],
    });
    const rest: ChannelOrder[] = [];
    let cursor = first.next;
    while (cursor) {
      const page = await connector.listOrders({ cursor, pageSize: 5, signal: signal() });
      rest.push(...page.items);
      cursor = page.next;
    }
    const firstKeys = new Set(first.items.map((o) => o.externalId));
    expect(rest.filter((o) => firstKeys.has(o.externalId))).toEqual([]);
    expect(new Set([...first.items, ...rest].map((o) => o.externalId)).size).toBe(12);
  });

  it('finds a tie in the watermark second and a late-listed write when the read overlaps the watermark', async () => {
    const now = emu.clock.now();
    const { storeId, integration } = await newStore({
      products: 2,
      orders: 6,
      nowMs: now - 60_000,
      spreadDays: 0.01,
    });
    const connector = await connectorFor(integration);
    const firstRead = await readAllOrders(connector, new Date(now - 3_600_000), 200);
    expect(firstRead).toHaveLength(6);
    const late = Number(firstRead[0]!.externalId);
    const tie = Number(firstRead[1]!.externalId);
    const other = Number(firstRead[2]!.externalId);

    // `late` is paid first but listed 5 s after its write; `other` is paid a second later and listed at once.
    emu.updateOrder(storeId, late, { payment_status: 'paid' }, { extraLagMs: 5000 });
    // Early in the next second, so the reads below finish before the second turns.
    emu.clock.set(Math.floor(emu.clock.now() / 1000) * 1000 + 1005);
    const otherWrite = emu.updateOrder(storeId, other, { payment_status: 'paid' });
    const secondRead = await readAllOrders(connector, new Date(now - 3_600_000), 200);
    const watermark = new Date(Math.max(...secondRead.map((o) => o.updatedAt.getTime())));
    expect(watermark.getTime()).toBe(otherWrite.updated_at);
    expect(secondRead.find((o) => o.externalId === String(late))?.status).toBe('PENDING');

    // Same second as the watermark: a tie that only an inclusive filter finds.
    const tieWrite = emu.updateOrder(storeId, tie, { status: 'cancelled' });
    expect(tieWrite.updated_at).toBe(watermark.getTime());
    emu.clock.advance(6000);

    const fromWatermark = await readAllOrders(connector, watermark, 200);
    expect(fromWatermark.find((o) => o.externalId === String(tie))?.status).toBe('CANCELLED');
    // Without overlap the late-listed write is lost: its updated_at is before the watermark.
    expect(fromWatermark.find((o) => o.externalId === String(late))).toBeUndefined();

    const overlapped = await readAllOrders(connector, new Date(watermark.getTime() - 5 * 60_000), 200);
    expect(overlapped.find((o) => o.externalId === String(late))?.status).toBe('PAID');
    expect(overlapped.find((o) => o.externalId === String(tie))?.status).toBe('CANCELLED');
  });

  it('reports a partial bulk variant failure per item and writes the valid variants', async () => {
    const { storeId, integration } = await newStore({ products: 2, variantsPerProduct: 3 });
    const connector = await connectorFor(integration);
    const refs = await connector.resolveSkus(['SKU-1-1', 'SKU-1-2', 'SKU-2-1'], signal());
    const ref = (sku: string) => refs.get(sku)![0]!;
    const foreign = ref('SKU-2-1');

    const results = await connector.setStock(
      [
        { sku: 'SKU-1-1', ref: ref('SKU-1-1'), available: 11 },
        // A link that names product 1 with a variant of product 2: Nuvemshop refuses that variant.
        {
          sku: 'SKU-2-1',
          ref: { productId: ref('SKU-1-1').productId, variantId: foreign.variantId },
          available: 5,
        },
        { sku: 'SKU-1-2', ref: ref('SKU-1-2'), available: -3 },
      ],
      { dryRun: false, signal: signal() },
    );
    expect(results).toEqual([
      { key: 'SKU-1-1', status: 'ok', code: 'UPDATED' },
      expect.objectContaining({ key: 'SKU-2-1', status: 'failed', code: 'REJECTED' }),
      { key: 'SKU-1-2', status: 'ok', code: 'UPDATED' },
    ]);
    const product = emu.product(storeId, Number(ref('SKU-1-1').productId))!;
    expect(product.variants.find((v) => v.sku === 'SKU-1-1')?.stock).toBe(11);
    expect(product.variants.find((v) => v.sku === 'SKU-1-2')?.stock).toBe(0);
    const puts = callsTo(storeId).filter((e) => e.method === 'PUT');
    expect(puts.map((e) => e.status)).toEqual([422, 200]);
  });

  it('creates unlinked products, updates linked ones, and sets stock as given (the hub applies the safety buffer)', async () => {
    const { storeId, integration } = await newStore(
      { products: 1, variantsPerProduct: 1 },
      { settings: { safetyBuffer: 2 } },
    );
    const connector = await connectorFor(integration);
    const linked = (await connector.resolveSkus(['SKU-1-1'], signal())).get('SKU-1-1')![0]!;
    const erp = (sku: string, price: string) => ({
      sku,
      name: `Produto ${sku}`,
      price,
      externalId: sku,
      parentExternalId: null,
      updatedAt: new Date(),
    });
    const results = await connector.upsertProducts(
      [
        { product: erp('SKU-1-1', '99.90'), ref: linked },
        { product: erp('NEW-1', '10.00'), ref: null },
        { product: erp('BAD-1', 'abc'), ref: null },
      ],
      { dryRun: false, signal: signal() },
    );
    expect(results[0]).toEqual({ key: 'SKU-1-1', status: 'ok', code: 'UPDATED' });
    expect(results[1]).toMatchObject({ key: 'NEW-1', status: 'ok', code: 'CREATED' });
    expect(results[2]).toMatchObject({ key: 'BAD-1', status: 'failed', code: 'REJECTED' });
    const created = results[1]!.ref!;
    expect(emu.product(storeId, Number(created.productId))?.variants[0]).toMatchObject({
      sku: 'NEW-1',
      price: '10.00',
    });
    const updated = emu.product(storeId, Number(linked.productId))!;
    expect(updated.name.pt).toBe('Produto SKU-1-1');
    expect(updated.variants[0]!.price).toBe('99.90');

    await connector.setStock([{ sku: 'NEW-1', ref: created, available: 7 }], {
      dryRun: false,
      signal: signal(),
    });
    expect(emu.product(storeId, Number(created.productId))?.variants[0]?.stock).toBe(7);
  });

  it('makes no non-GET request in a dry run and says what it would write', async () => {
    const { storeId, integration } = await newStore({ products: 2, orders: 4 });
    const connector = await connectorFor(integration, true);
    const refs = await connector.resolveSkus(['SKU-1-1', 'SKU-2-1'], signal());
    const product = {
      sku: 'SKU-1-1',
      name: 'x',
      price: '1.00',
      externalId: '1',
      parentExternalId: null,
      updatedAt: new Date(),
    };
    const upserts = await connector.upsertProducts(
      [
        { product, ref: refs.get('SKU-1-1')![0]! },
        { product: { ...product, sku: 'NEW' }, ref: null },
      ],
      { dryRun: true, signal: signal() },
    );
    const stock = await connector.setStock(
      [{ sku: 'SKU-2-1', ref: refs.get('SKU-2-1')![0]!, available: 3 }],
      { dryRun: true, signal: signal() },
    );
    await readAllOrders(connector, undefined, 2);
    expect([...upserts, ...stock].every((r) => r.status === 'skipped' && r.code === 'DRY_RUN')).toBe(true);
    const calls = callsTo(storeId);
    expect(calls.length).toBeGreaterThanOrEqual(4);
    expect(calls.filter((e) => e.method !== 'GET')).toEqual([]);
  });

  it('turns a 401 into an auth error after one call, and the paused integration makes no more calls', async () => {
    const { storeId, integration } = await newStore({ products: 1 }, { token: 'revoked' });
    const connector = await connectorFor(integration);
    await expect(connector.resolveSkus(['SKU-1-1'], signal())).rejects.toBeInstanceOf(PlatformAuthError);
    expect(callsTo(storeId).map((e) => e.status)).toEqual([401]);
    const state = await getBreakerState(testDb.db, integration.id);
    expect(state.pause?.code).toBe('AUTH_FAILED');
    await expect(connectorFor(integration)).rejects.toBeInstanceOf(IntegrationPausedError);
    expect(callsTo(storeId)).toHaveLength(1);
  });

  it('pauses the integration on 402 (unpaid store) without retrying', async () => {
    const { storeId, integration } = await newStore({ orders: 3, unpaid: true });
    const connector = await connectorFor(integration);
    const err = await connector.listOrders({ pageSize: 10, signal: signal() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformAuthError);
    expect((err as PlatformAuthError).status).toBe(402);
    expect(callsTo(storeId).map((e) => e.status)).toEqual([402]);
    expect((await getBreakerState(testDb.db, integration.id)).pause?.code).toBe('AUTH_FAILED');
  });

  it('never overflows the store bucket while three jobs of one integration call at once', async () => {
    const { storeId, integration } = await newStore({ products: 25, variantsPerProduct: 1 });
    const skus = Array.from({ length: 25 }, (_, i) => `SKU-${i + 1}-1`);
    const jobs = await Promise.all([0, 1, 2].map(() => connectorFor(integration)));
    const started = emu.clock.now();
    const resolved = await Promise.all(
      jobs.map((c, i) => c.resolveSkus(skus.slice(i * 2, i * 2 + 21), signal())),
    );
    expect(resolved.every((m) => [...m.values()].every((refs) => refs.length === 1))).toBe(true);

    const calls = callsTo(storeId);
    expect(calls).toHaveLength(63);
    expect(calls.filter((e) => e.status === 429)).toEqual([]);
    expect(worstBucketExcess(calls.map((e) => e.clockMs))).toBeLessThanOrEqual(1);
    // 63 calls: 40 at once, the other 23 at 2 per second.
    expect(emu.clock.now() - started).toBeGreaterThanOrEqual(10_000);
  });

  it('recovers from 429s when two integrations share one store, at the leak rate after the burst', async () => {
    const { storeId, token, integration } = await newStore({ products: 30, variantsPerProduct: 1 });
    const twin = await insertIntegration(testDb.db, {
      name: `nuvemshop ${storeId} twin`,
      platform: 'NUVEMSHOP',
      enabled: true,
      settings: { baseUrl: emu.baseUrl(), storeId, userAgent: USER_AGENT },
      credentials_sealed: sealCredentials(box, { accessToken: token }),
    });
    const skus = Array.from({ length: 30 }, (_, i) => `SKU-${i + 1}-1`);
    const [a, b] = await Promise.all([connectorFor(integration), connectorFor(twin)]);
    const [ra, rb] = await Promise.all([a.resolveSkus(skus, signal()), b.resolveSkus(skus, signal())]);
    expect([...ra.values(), ...rb.values()].every((refs) => refs.length === 1)).toBe(true);

    const calls = callsTo(storeId);
    const served = calls.filter((e) => e.status === 200);
    expect(served).toHaveLength(60);
    // The store's bucket was respected by what it served; the refused calls were waited out, not dropped.
    expect(worstBucketExcess(served.map((e) => e.clockMs))).toBeLessThanOrEqual(1);
    const refused = calls.filter((e) => e.status === 429);
    expect(refused.length).toBeLessThanOrEqual(20);
    // After the first 40, all calls (refused ones included) came no faster than about 2 per second.
    const afterBurst = calls.slice(40);
    const span = (afterBurst.at(-1)!.clockMs - afterBurst[0]!.clockMs) / 1000;
    expect(afterBurst.length - 1).toBeLessThanOrEqual(2 * span * 1.5 + 2);
  });
});
