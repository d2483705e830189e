/**
 * Contract tests of the Mercado Livre connector: the production connector, built through the real HTTP layer and
 * ConnectorContext (Postgres token store, Redis rate limiter and refresh lock), against the Mercado Livre emulator.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getIntegrationTokens } from '../../db/queries/integration-token.ts';
import { insertIntegration } from '../../db/queries/integration.ts';
import type { Integration } from '../../db/types.ts';
import type {
  ChannelConnector,
  ChannelOrder,
  ChannelRef,
  ErpProduct,
} from '../../server/connectors/platform.ts';
import { createPlatformConnector, type ConnectorDeps } from '../../server/connectors/context.ts';
import { IntegrationPausedError, PlatformAuthError } from '../../server/connectors/http/errors.ts';
import {
  mercadoLivrePlatform,
  mercadoLivreSettingsSchema,
} from '../../server/connectors/mercadolivre/index.ts';
import { createLogger } from '../../server/logger.ts';
import { sealCredentials } from '../../server/security/integration-credentials.ts';
import {
  buildMlCatalog,
  buildMlOrders,
  startMercadoLivreEmulator,
  type MercadoLivreEmulator,
  type MercadoLivreEmulatorOptions,
  type MlSeedResult,
} from '../emulators/mercadolivre/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createTestRedisPrefix } from '../helpers/redis.ts';
import { testSecretBox } from '../helpers/stack.ts';

const log = createLogger({ name: 'test', level: 'silent' });
const box = testSecretBox();
const redisPrefix = createTestRedisPrefix();
let testDb: TestDatabase;
let redis: Redis;
let emu: MercadoLivreEmulator;

beforeAll(async () => {
  testDb = await createTestDatabase();
  redis = new Redis(redisPrefix.url);
});

afterAll(async () => {
  redis.disconnect();
  await redisPrefix.cleanup();
  await testDb.drop();
});

async function startEmu(options: MercadoLivreEmulatorOptions = {}): Promise<MercadoLivreEmulator> {
  emu = await startMercadoLivreEmulator(options);
  return emu;
}

beforeEach(async () => {
  await startEmu();
});

afterEach(async () => {
  await emu.close();
});

function deps(): ConnectorDeps {
  return {
    db: testDb.db,
    redis,
    redisPrefix: redisPrefix.prefix,
    box,
    retry: { baseDelayMs: 100, maxDelayMs: 400 },
  };
}

/** A Mercado Livre integration for the emulator's seller, with tokens as if the seller had just authorised. */
async function createIntegration(
  options: { settings?: Record<string, unknown>; withAccessToken?: boolean } = {},
): Promise<Integration> {
  const tokens = emu.issueTokens();
  const credentials: Record<string, unknown> = {
    clientId: emu.client.clientId,
    clientSecret: emu.client.clientSecret,
    refreshToken: tokens.refreshToken,
  };
  if (options.withAccessToken ?? true) {
    credentials.accessToken = tokens.accessToken;
    credentials.expiresAt = tokens.expiresAt.toISOString();
  }
  return insertIntegration(testDb.db, {
    name: `ml-${Math.random().toString(36).slice(2, 8)}`,
    platform: 'MERCADO_LIVRE',
    enabled: true,
    settings: {
      baseUrl: emu.url,
      sellerId: String(emu.sellerId),
      categoryId: 'MLB1055',
      rateLimit: { burst: 50, perSecond: 50 },
      ...options.settings,
    },
    credentials_sealed: sealCredentials(box, credentials),
  });
}

async function connect(integration: Integration, dryRun = false): Promise<ChannelConnector> {
  const connector = await createPlatformConnector(deps(), mercadoLivrePlatform, integration, { dryRun, log });
  if (connector.role !== 'channel') throw new Error('Mercado Livre is a channel');
  return connector;
}

async function storedRefreshToken(integrationId: string): Promise<string> {
  const stored = await getIntegrationTokens(testDb.db, integrationId);
  if (!stored) throw new Error('no tokens stored');
  return (JSON.parse(box.open(stored.sealed)) as { refreshToken: string }).refreshToken;
}

const signal = () => AbortSignal.timeout(30_000);
const write = () => ({ dryRun: false, signal: signal() });
const calls = (method: string, path: RegExp) =>
  emu.requests.all().filter((r) => r.method === method && path.test(r.path));

function product(sku: string, price: string, name = `Produto ${sku}`): ErpProduct {
  return { sku, name, price, externalId: `erp-${sku}`, parentExternalId: null, updatedAt: new Date() };
}

function seedCatalog(): MlSeedResult {
  return emu.seed({
    items: [
      {
        title: 'Tênis Corrida',
        price: 199.9,
        variations: [
          {
            sku: 'TEN-38',
            availableQuantity: 3,
            combinations: [{ id: 'SIZE', name: 'Tamanho', value: '38' }],
          },
          {
            sku: 'TEN-39',
            availableQuantity: 4,
            combinations: [{ id: 'SIZE', name: 'Tamanho', value: '39' }],
          },
          {
            sku: 'TEN-40',
            availableQuantity: 5,
            combinations: [{ id: 'SIZE', name: 'Tamanho', value: '40' }],
          },
        ],
      },
      { title: 'Garrafa Térmica', price: 79.5, availableQuantity: 10, sku: 'GAR-01' },
      // The same SKU listed twice (classic and premium): ambiguous.
      { title: 'Caneca', price: 30, availableQuantity: 2, sku: 'CAN-01' },
      { title: 'Caneca Premium', price: 35, availableQuantity: 2, sku: 'CAN-01' },
      { title: 'Velho', price: 10, availableQuantity: 0, sku: 'OLD-01', status: 'closed' },
    ],
  });
}

describe('definition', () => {
  it('defaults to the public API, no safety buffer and a conservative rate; rejects a malformed seller', () => {
    expect(mercadoLivreSettingsSchema.parse({ sellerId: 123 })).toEqual({
      baseUrl: 'https://api.mercadolibre.com',
      sellerId: '123',
      safetyBuffer: 0,
      listingTypeId: 'gold_special',
      condition: 'new',
      rateLimit: { burst: 10, perSecond: 5 },
    });
    expect(mercadoLivreSettingsSchema.safeParse({ sellerId: 'abc' }).success).toBe(false);
    expect(mercadoLivreSettingsSchema.safeParse({ sellerId: '1', unknown: true }).success).toBe(false);
  });
});

describe('OAuth: single-use refresh tokens', () => {
  it('refreshes an expired access token once, persists the new refresh token, and never sends the old one again', async () => {
    const integration = await createIntegration();
    const first = await connect(integration);
    await first.checkAuth(signal());
    expect(emu.refreshLog()).toHaveLength(0);
    const original = await storedRefreshToken(integration.id);

    // Six hours later on the platform: the access token is dead (401), the connector refreshes and goes on.
    emu.clock.advance(6 * 3600_000 + 1000);
    await first.checkAuth(signal());
    const log1 = emu.refreshLog();
    expect(log1).toHaveLength(1);
    expect(log1[0]).toMatchObject({ refreshToken: original, outcome: 'ok' });
    expect(calls('GET', /^\/users\/me$/).map((r) => r.status)).toEqual([200, 401, 200]);

    // The new refresh token is what the store holds, so another process (a new connector) uses it next time.
    const rotated = await storedRefreshToken(integration.id);
    expect(rotated).toBe(log1[0]!.issuedRefreshToken);
    expect(rotated).not.toBe(original);

    emu.clock.advance(6 * 3600_000 + 1000);
    const second = await connect(integration);
    await second.checkAuth(signal());
    const log2 = emu.refreshLog();
    expect(log2).toHaveLength(2);
    expect(log2[1]).toMatchObject({ refreshToken: rotated, outcome: 'ok' });
    expect(log2.every((e) => e.outcome === 'ok')).toBe(true);
  });

  it('refreshes before the first call when the credentials carry no access token', async () => {
    const integration = await createIntegration({ withAccessToken: false });
    const connector = await connect(integration);
    await connector.checkAuth(signal());
    expect(emu.refreshLog()).toHaveLength(1);
    expect(emu.requests.all().map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'POST /oauth/token 200',
      'GET /users/me 200',
    ]);
    // The token call is a form post with the app's credentials.
    expect(calls('POST', /^\/oauth\/token$/)[0]?.headers['content-type']).toContain(
      'application/x-www-form-urlencoded',
    );
  });

  it('three connectors of one integration hitting an expired token at once refresh once and never reuse a refresh token', async () => {
    const integration = await createIntegration();
    const connectors = await Promise.all([connect(integration), connect(integration), connect(integration)]);
    seedCatalog();

    for (let round = 1; round <= 3; round++) {
      emu.clock.advance(6 * 3600_000 + 1000);
      // Each connector runs a few calls concurrently, as several jobs and processes would.
      await Promise.all(
        connectors.flatMap((c) => [
          c.checkAuth(signal()),
          c.resolveSkus(['GAR-01'], signal()),
          c.listOrders({ pageSize: 10, signal: signal() }),
        ]),
      );
      const refreshes = emu.refreshLog();
      expect(refreshes.every((e) => e.outcome === 'ok')).toBe(true);
      expect(refreshes).toHaveLength(round);
    }
    const used = emu.refreshLog().map((e) => e.refreshToken);
    expect(new Set(used).size).toBe(used.length);
    // A chain: each refresh used the token the previous one issued.
    const log = emu.refreshLog();
    for (let i = 1; i < log.length; i++) expect(log[i]!.refreshToken).toBe(log[i - 1]!.issuedRefreshToken);
    expect(await storedRefreshToken(integration.id)).toBe(log.at(-1)!.issuedRefreshToken);
    expect(emu.requests.all().filter((r) => r.path === '/oauth/token' && r.status !== 200)).toEqual([]);
  });

  it('a revoked grant (401 on every call, invalid_grant on refresh) is an auth error after one refresh, and pauses the integration', async () => {
    const integration = await createIntegration();
    const connector = await connect(integration);
    emu.state.revokeSeller(emu.sellerId);

    await expect(connector.checkAuth(signal())).rejects.toBeInstanceOf(PlatformAuthError);
    expect(emu.requests.all().map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'GET /users/me 401',
      'POST /oauth/token 400',
    ]);
    expect(emu.refreshLog().map((e) => e.outcome)).toEqual(['invalid_grant']);

    // The breaker is open: a later run does not call the platform at all.
    await expect((async () => (await connect(integration)).checkAuth(signal()))()).rejects.toBeInstanceOf(
      IntegrationPausedError,
    );
    expect(emu.requests.all()).toHaveLength(2);
  });

  it('a 401 that survives a successful refresh is an auth error, not a loop', async () => {
    const integration = await createIntegration();
    const connector = await connect(integration);
    emu.faults.add({ path: '^/users/', status: 401, body: { message: 'invalid_token', status: 401 } });

    await expect(connector.resolveSkus(['GAR-01'], signal())).rejects.toBeInstanceOf(PlatformAuthError);
    expect(emu.requests.all().map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      `GET /users/${emu.sellerId}/items/search 401`,
      'POST /oauth/token 200',
      `GET /users/${emu.sellerId}/items/search 401`,
    ]);
  });

  it('tokens of another seller fail checkAuth', async () => {
    const integration = await createIntegration({ settings: { sellerId: '999' } });
    const connector = await connect(integration);
    await expect(connector.checkAuth(signal())).rejects.toBeInstanceOf(PlatformAuthError);
  });
});

describe('SKUs: item search and multiget', () => {
  it('resolves SKUs on variations and on items, reports ambiguous and unknown ones, skips closed listings', async () => {
    const seeded = seedCatalog();
    const connector = await connect(await createIntegration());
    const tenis = seeded.items[0]!;
    const refs = await connector.resolveSkus(['TEN-39', 'GAR-01', 'CAN-01', 'NOPE', 'OLD-01'], signal());
    expect(refs.get('TEN-39')).toEqual([{ productId: tenis.id, variantId: String(tenis.variations[1]!.id) }]);
    expect(refs.get('GAR-01')).toEqual([{ productId: seeded.items[1]!.id, variantId: null }]);
    expect(
      refs
        .get('CAN-01')
        ?.map((r) => r.productId)
        .sort(),
    ).toEqual([seeded.items[2]!.id, seeded.items[3]!.id].sort());
    expect(refs.get('NOPE')).toEqual([]);
    expect(refs.get('OLD-01')).toEqual([]);
  });

  it('multigets at most 20 ids a call', async () => {
    const seeded = emu.seed({ items: buildMlCatalog({ products: 25, skuPrefix: 'BULK' }) });
    const connector = await connect(await createIntegration());
    expect(connector.limits).toEqual({ maxPageSize: 50, maxBatchWrite: 20 });
    const skus = seeded.items.map((i) => i.sku!);
    const refs = await connector.resolveSkus(skus, signal());
    expect([...refs.values()].every((r) => r.length === 1)).toBe(true);
    const multigets = calls('GET', /^\/items$/);
    expect(multigets).toHaveLength(2);
    for (const m of multigets) expect(m.query.ids?.[0]?.split(',').length).toBeLessThanOrEqual(20);
    expect(multigets.map((m) => m.status)).toEqual([200, 200]);
  });

  it('a created listing is returned with its ref at once but only found by search after the index lag', async () => {
    await emu.close();
    await startEmu({ searchLagMs: 30_000 });
    const connector = await connect(await createIntegration());

    const [created] = await connector.upsertProducts(
      [{ product: product('NEW-01', '49.90', 'Luminária de mesa'), ref: null }],
      write(),
    );
    expect(created).toMatchObject({ key: 'NEW-01', status: 'ok', code: 'CREATED' });
    const ref = created!.ref!;
    expect(ref.variantId).toBeNull();

    // By id the item is there at once; the search does not know it yet.
    const token = emu.issueTokens().accessToken;
    const byId = await fetch(`${emu.url}/items?ids=${ref.productId}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(((await byId.json()) as { code: number }[])[0]?.code).toBe(200);
    expect((await connector.resolveSkus(['NEW-01'], signal())).get('NEW-01')).toEqual([]);

    emu.clock.advance(30_001);
    expect((await connector.resolveSkus(['NEW-01'], signal())).get('NEW-01')).toEqual([ref]);
    const body = calls('POST', /^\/items$/)[0]?.body as Record<string, unknown>;
    expect(body).toMatchObject({
      title: 'Luminária de mesa',
      price: 49.9,
      category_id: 'MLB1055',
      attributes: [{ id: 'SELLER_SKU', value_name: 'NEW-01' }],
    });
  });

  it('pages past the search offset cap with scan and scroll_id', async () => {
    await emu.close();
    await startEmu({ maxSearchOffset: 1000 });
    // 1,005 listings share one SKU: more than offset paging may reach.
    const items = Array.from({ length: 1005 }, (_, i) => ({
      title: `Item ${i}`,
      price: 10,
      availableQuantity: 1,
      sku: 'MANY',
    }));
    emu.seed({ items });
    const connector = await connect(await createIntegration());
    const refs = await connector.resolveSkus(['MANY'], signal());
    expect(new Set(refs.get('MANY')!.map((r) => r.productId)).size).toBe(1005);
    const searches = calls('GET', /\/items\/search$/);
    expect(searches.some((s) => s.query.search_type?.[0] === 'scan')).toBe(true);
    expect(searches.every((s) => s.status === 200)).toBe(true);
  });
});

describe('writes', () => {
  it('sets absolute stock as given (the hub applies the safety buffer): variations of one item in one PUT', async () => {
    const seeded = seedCatalog();
    const connector = await connect(await createIntegration({ settings: { safetyBuffer: 2 } }));
    const tenis = seeded.items[0]!;
    const v = (i: number): ChannelRef => ({
      productId: tenis.id,
      variantId: String(tenis.variations[i]!.id),
    });
    const results = await connector.setStock(
      [
        { sku: 'TEN-38', ref: v(0), available: 10 },
        { sku: 'TEN-39', ref: v(1), available: 1 },
        { sku: 'TEN-40', ref: v(2), available: 7 },
        { sku: 'GAR-01', ref: { productId: seeded.items[1]!.id, variantId: null }, available: 25 },
      ],
      write(),
    );
    expect(results.map((r) => `${r.key} ${r.status} ${r.code}`)).toEqual([
      'TEN-38 ok UPDATED',
      'TEN-39 ok UPDATED',
      'TEN-40 ok UPDATED',
      'GAR-01 ok UPDATED',
    ]);
    const puts = calls('PUT', /^\/items\//);
    expect(puts).toHaveLength(2);
    expect(puts.find((p) => p.path === `/items/${tenis.id}`)?.body).toEqual({
      variations: [
        { id: tenis.variations[0]!.id, available_quantity: 10 },
        { id: tenis.variations[1]!.id, available_quantity: 1 },
        { id: tenis.variations[2]!.id, available_quantity: 7 },
      ],
    });
    expect(emu.state.getItem(tenis.id)?.variations.map((x) => x.availableQuantity)).toEqual([10, 1, 7]);
    expect(emu.state.getItem(seeded.items[1]!.id)?.availableQuantity).toBe(25);
  });

  it('a refused variation or a missing item fails only its own SKU', async () => {
    const seeded = seedCatalog();
    const connector = await connect(await createIntegration());
    const tenis = seeded.items[0]!;
    const results = await connector.setStock(
      [
        {
          sku: 'TEN-38',
          ref: { productId: tenis.id, variantId: String(tenis.variations[0]!.id) },
          available: 9,
        },
        { sku: 'GHOST', ref: { productId: tenis.id, variantId: '1' }, available: 9 },
        {
          sku: 'TEN-40',
          ref: { productId: tenis.id, variantId: String(tenis.variations[2]!.id) },
          available: 6,
        },
        { sku: 'GONE', ref: { productId: 'MLB1', variantId: null }, available: 1 },
      ],
      write(),
    );
    expect(results.map((r) => `${r.key} ${r.status} ${r.code ?? ''}`)).toEqual([
      'TEN-38 ok UPDATED',
      'GHOST failed REJECTED',
      'TEN-40 ok UPDATED',
      'GONE failed NOT_FOUND',
    ]);
    expect(results[1]?.message).toContain('unknown variation 1');
    expect(emu.state.getItem(tenis.id)?.variations.map((x) => x.availableQuantity)).toEqual([9, 4, 6]);
  });

  it('updates price (and title of a listing without variations), creates new listings, reports item errors', async () => {
    const seeded = seedCatalog();
    const connector = await connect(await createIntegration());
    const tenis = seeded.items[0]!;
    const garrafa = seeded.items[1]!;
    emu.faults.add({
      method: 'POST',
      path: '^/items$',
      nth: 2,
      status: 400,
      body: {
        message: 'Validation error',
        error: 'validation_error',
        status: 400,
        cause: [{ code: 'item.category_id.invalid', message: 'category not listable' }],
      },
    });
    const results = await connector.upsertProducts(
      [
        {
          product: { ...product('TEN-39', '189.90'), parentExternalId: 'erp-TEN' },
          ref: { productId: tenis.id, variantId: String(tenis.variations[1]!.id) },
        },
        {
          product: product('GAR-01', '84.00', 'Garrafa Térmica 1L'),
          ref: { productId: garrafa.id, variantId: null },
        },
        { product: product('NEW-A', '10.00'), ref: null },
        { product: product('NEW-B', '11.00'), ref: null },
        { product: product('BAD', 'abc'), ref: null },
      ],
      write(),
    );
    expect(results.map((r) => `${r.key} ${r.status} ${r.code}`)).toEqual([
      'TEN-39 ok UPDATED',
      'GAR-01 ok UPDATED',
      'NEW-A ok CREATED',
      'NEW-B failed REJECTED',
      'BAD failed INVALID_PRICE',
    ]);
    expect(results[3]?.message).toContain('category not listable');
    expect(emu.state.getItem(tenis.id)?.variations[1]?.price).toBe(189.9);
    expect(emu.state.getItem(tenis.id)?.title).toBe('Tênis Corrida');
    expect(emu.state.getItem(garrafa.id)).toMatchObject({ price: 84, title: 'Garrafa Térmica 1L' });
    expect(emu.state.getItem(results[2]!.ref!.productId)?.sku).toBe('NEW-A');
  });

  it('a dry run reads but sends no write: every change comes back as what it would do', async () => {
    const seeded = seedCatalog();
    emu.seed({ orders: buildMlOrders({ count: 3, startMs: emu.clock.now() - 60_000, items: seeded.items }) });
    const connector = await connect(await createIntegration(), true);
    const tenis = seeded.items[0]!;
    const ref = { productId: tenis.id, variantId: String(tenis.variations[0]!.id) };

    expect((await connector.resolveSkus(['TEN-38'], signal())).get('TEN-38')).toEqual([ref]);
    const upserts = await connector.upsertProducts(
      [
        { product: product('TEN-38', '150.00'), ref },
        { product: product('NEW-X', '20.00'), ref: null },
      ],
      { dryRun: true, signal: signal() },
    );
    const stock = await connector.setStock([{ sku: 'TEN-38', ref, available: 1 }], {
      dryRun: true,
      signal: signal(),
    });
    const orders = await connector.listOrders({ pageSize: 10, signal: signal() });

    expect([...upserts, ...stock].map((r) => `${r.status} ${r.code}`)).toEqual([
      'skipped DRY_RUN',
      'skipped DRY_RUN',
      'skipped DRY_RUN',
    ]);
    expect(upserts[0]?.message).toContain('price 150.00');
    expect(upserts[1]?.message).toContain('would create');
    expect(stock[0]?.message).toContain('available_quantity 1');
    expect(orders.items).toHaveLength(3);
    expect(emu.requests.all().length).toBeGreaterThan(0);
    expect(emu.requests.all().filter((r) => r.method !== 'GET')).toEqual([]);
    expect(emu.state.getItem(tenis.id)?.variations[0]).toMatchObject({ price: 199.9, availableQuantity: 3 });
  });
});

describe('orders', () => {
  async function readAll(
    connector: ChannelConnector,
    pageSize: number,
    updatedSince: Date | undefined,
    between?: (page: number) => void,
  ): Promise<ChannelOrder[][]> {
    const pages: ChannelOrder[][] = [];
    let cursor: string | undefined;
    do {
      const page = await connector.listOrders({
        pageSize,
        signal: signal(),
        ...(cursor ? { cursor } : {}),
        ...(updatedSince ? { updatedSince } : {}),
      });
      pages.push(page.items);
      between?.(pages.length);
      cursor = page.next;
      if (pages.length > 200) throw new Error('the read does not end');
    } while (cursor);
    return pages;
  }

  it('finds every order exactly once across ties and pages that shift while reading', async () => {
    const seeded = seedCatalog();
    const start = emu.clock.now() - 3600_000;
    // 25 orders in one second (more than a page), then 60 more, three per second.
    const ids = [
      ...emu.seed({
        orders: buildMlOrders({ count: 25, startMs: start, perSecond: 25, items: seeded.items }),
      }).orders,
      ...emu.seed({
        orders: buildMlOrders({ count: 60, startMs: start + 5000, perSecond: 3, items: seeded.items }),
      }).orders,
    ];
    const connector = await connect(await createIntegration());

    const moved: number[] = [];
    const pages = await readAll(connector, 10, new Date(start), (page) => {
      // While reading, orders already read change (they jump to the end, and the rest shift one place back).
      if (page === 2 || page === 5) {
        const target = ids[page * 6]!;
        emu.updateOrder(target, { status: 'cancelled' });
        moved.push(target);
      }
    });

    const all = pages.flat();
    for (const page of pages) {
      expect(new Set(page.map((o) => o.externalId)).size).toBe(page.length);
    }
    const unique = new Set(all.map((o) => o.externalId));
    expect([...unique].sort()).toEqual(ids.map(String).sort());
    // Only the orders that changed are read twice, and their last version is the new one.
    const repeats = all.length - unique.size;
    expect(repeats).toBeLessThanOrEqual(moved.length);
    for (const id of moved) {
      expect(all.filter((o) => o.externalId === String(id)).at(-1)?.status).toBe('CANCELLED');
    }
    // Pages stay within the platform's cap.
    for (const r of calls('GET', /^\/orders\/search$/)) {
      expect(Number(r.query.limit?.[0])).toBeLessThanOrEqual(51);
      expect(r.query['order.date_last_updated.from']?.[0] ?? '').toMatch(/-04:00$/);
    }
  });

  it('reads incrementally from updatedSince (inclusive, to the second) and normalises status, pack and lines', async () => {
    const seeded = seedCatalog();
    const tenis = seeded.items[0]!;
    const base = Math.floor((emu.clock.now() - 600_000) / 1000) * 1000;
    const line = {
      itemId: tenis.id,
      variationId: tenis.variations[0]!.id,
      sku: 'TEN-38',
      quantity: 2,
      unitPrice: 199.9,
    };
    const [old, paid, cancelled, pending, shipped, packed] = emu.seed({
      orders: [
        { status: 'paid', updatedAt: base - 5000, lines: [line] },
        {
          status: 'paid',
          updatedAt: base,
          lines: [
            line,
            {
              ...line,
              sku: null,
              variationId: null,
              itemId: seeded.items[1]!.id,
              quantity: 1,
              unitPrice: 79.5,
            },
          ],
        },
        { status: 'cancelled', updatedAt: base + 1000, lines: [line] },
        { status: 'payment_in_process', updatedAt: base + 2000, lines: [line] },
        { status: 'paid', tags: ['paid', 'shipped'], updatedAt: base + 3000, lines: [line] },
        { status: 'paid', packId: 2000000580342535, updatedAt: base + 4000, lines: [line] },
      ],
    }).orders;
    const connector = await connect(await createIntegration());
    const page = await connector.listOrders({
      pageSize: 50,
      updatedSince: new Date(base + 400),
      signal: signal(),
    });
    expect(page.next).toBeUndefined();
    const byId = new Map(page.items.map((o) => [o.externalId, o]));
    expect(byId.has(String(old))).toBe(false);
    expect(byId.get(String(paid))).toMatchObject({
      status: 'PAID',
      packId: null,
      total: '479.30',
      lines: [
        { sku: 'TEN-38', quantity: 2, unitPrice: '199.90' },
        { sku: '', quantity: 1, unitPrice: '79.50' },
      ],
      updatedAt: new Date(base),
    });
    expect(byId.get(String(cancelled))?.status).toBe('CANCELLED');
    expect(byId.get(String(pending))?.status).toBe('PENDING');
    expect(byId.get(String(shipped))?.status).toBe('SHIPPED');
    expect(byId.get(String(packed))?.packId).toBe('2000000580342535');
  });

  it('backs off on 429 and completes the read without breaking the per-seller rate', async () => {
    const seeded = seedCatalog();
    emu.seed({
      orders: buildMlOrders({
        count: 40,
        startMs: emu.clock.now() - 600_000,
        perSecond: 2,
        items: seeded.items,
      }),
    });
    emu.setRateLimit({ capacity: 3, refillPerSecond: 4 });
    const connector = await connect(await createIntegration());

    const pages = await readAll(connector, 5, undefined);
    expect(new Set(pages.flat().map((o) => o.externalId)).size).toBe(40);

    const log = emu.requests.all();
    const limited = log.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    // After each 429 the next call waited (backoff), instead of hammering the platform.
    for (const r of limited) {
      const next = log.find((x) => x.seq > r.seq);
      if (next) expect(next.wallMs - r.wallMs).toBeGreaterThanOrEqual(40);
    }
    // No call was lost: every page request eventually succeeded.
    const searches = log.filter((r) => r.path === '/orders/search');
    expect(searches.filter((r) => r.status === 200)).toHaveLength(pages.length);
  });
});

describe('emulator wire protocol (what other tests rely on)', () => {
  async function api(path: string, init: RequestInit & { token?: string } = {}) {
    const token = init.token ?? emu.issueTokens().accessToken;
    const res = await fetch(`${emu.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('enforces the documented caps and the seller boundary', async () => {
    const seeded = emu.seed({ items: buildMlCatalog({ products: 21, skuPrefix: 'CAP' }) });
    const ids = seeded.items.map((i) => i.id).join(',');
    expect((await api(`/items?ids=${ids}`)).status).toBe(400);
    expect((await api(`/users/${emu.sellerId}/items/search?limit=101`)).status).toBe(400);
    expect((await api(`/users/${emu.sellerId}/items/search?offset=990&limit=20`)).status).toBe(400);
    expect((await api(`/orders/search?seller=${emu.sellerId}&limit=52`)).status).toBe(400);
    expect((await api(`/users/42/items/search`)).status).toBe(403);
    expect((await api(`/orders/search?seller=42`)).status).toBe(403);
    expect(
      (await api(`/orders/search?seller=${emu.sellerId}&order.date_last_updated.from=2025-01-01T00:00:00`))
        .status,
    ).toBe(400);
    expect((await api('/users/me', { token: 'APP_USR-unknown' })).body).toMatchObject({ status: 401 });
  });

  it('filters orders by date_last_updated from/to (inclusive) and status', async () => {
    const seeded = seedCatalog();
    const base = Date.parse('2025-03-01T12:00:00.000-04:00');
    const orders = emu.seed({
      orders: buildMlOrders({
        count: 6,
        startMs: base,
        statuses: ['paid', 'cancelled'],
        items: seeded.items,
      }),
    }).orders;
    const search = (q: string) => api(`/orders/search?seller=${emu.sellerId}&${q}`);
    const from = encodeURIComponent('2025-03-01T12:00:01.000-04:00');
    const to = encodeURIComponent('2025-03-01T16:00:03.000Z');
    const window = await search(`order.date_last_updated.from=${from}&order.date_last_updated.to=${to}`);
    expect((window.body.results as { id: number }[]).map((o) => o.id)).toEqual(orders.slice(1, 4));
    const cancelled = await search('order.status=cancelled');
    expect((cancelled.body.results as { id: number }[]).map((o) => o.id)).toEqual([
      orders[1],
      orders[3],
      orders[5],
    ]);
    expect((window.body.results as { date_last_updated: string }[])[0]?.date_last_updated).toBe(
      '2025-03-01T12:00:01.000-04:00',
    );
  });

  it('refuses a reused refresh token and logs it; a PUT with an invalid field changes nothing', async () => {
    const tokens = emu.issueTokens();
    const form = (refreshToken: string) =>
      fetch(`${emu.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          client_id: emu.client.clientId,
          client_secret: emu.client.clientSecret,
          refresh_token: refreshToken,
        }),
      });
    expect((await form(tokens.refreshToken)).status).toBe(200);
    const reused = await form(tokens.refreshToken);
    expect(reused.status).toBe(400);
    expect(await reused.json()).toMatchObject({ error: 'invalid_grant' });
    expect(emu.refreshLog().map((e) => e.outcome)).toEqual(['ok', 'invalid_grant']);

    const seeded = seedCatalog();
    const garrafa = seeded.items[1]!.id;
    const put = await api(`/items/${garrafa}`, {
      method: 'PUT',
      body: JSON.stringify({ price: 90, available_quantity: -1 }),
    });
    expect(put.status).toBe(400);
    expect(emu.state.getItem(garrafa)).toMatchObject({ price: 79.5, availableQuantity: 10 });
  });

  it('loads seed data through the admin API', async () => {
    const res = await fetch(`${emu.url}/__admin/seed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ items: [{ title: 'Via admin', price: 5, sku: 'ADM-1' }] }),
    });
    const body = (await res.json()) as { result: MlSeedResult };
    expect(body.result.items[0]?.sku).toBe('ADM-1');
    expect(emu.state.searchItems(emu.sellerId, { sellerSku: 'ADM-1' })).toEqual([body.result.items[0]?.id]);
  });
});
