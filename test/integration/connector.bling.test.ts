/**
 * Contract tests of the Bling connector: the production connector, built by the real ConnectorContext (Postgres
 * token store and breaker, Redis rate limiter, the shared HTTP layer), against the Bling emulator on port 0.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { insertIntegration } from '../../db/queries/integration.ts';
import { blingPlatform, toBlingDateTime } from '../../server/connectors/bling/index.ts';
import type { Page } from '../../server/connectors/connector.ts';
import { createPlatformConnector, type ConnectorDeps } from '../../server/connectors/context.ts';
import {
  IntegrationPausedError,
  PlatformAuthError,
  PlatformRateLimitedError,
} from '../../server/connectors/http/errors.ts';
import type {
  ErpConnector,
  ErpProduct,
  IncrementalQuery,
  OrderForErp,
} from '../../server/connectors/platform.ts';
import { createLogger } from '../../server/logger.ts';
import { sealCredentials } from '../../server/security/integration-credentials.ts';
import {
  sampleBlingSeed,
  seedBling,
  startBlingEmulator,
  type BlingEmulator,
} from '../emulators/bling/index.ts';
import { formatLocalDateTime, toSecond, type RequestLogEntry } from '../emulators/kit.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createTestRedisPrefix } from '../helpers/redis.ts';
import { testSecretBox } from '../helpers/stack.ts';

let tdb: TestDatabase;
let redis: Redis;
let prefix: ReturnType<typeof createTestRedisPrefix>;
let emu: BlingEmulator;
let deps: ConnectorDeps;
const box = testSecretBox();
const log = createLogger({ level: 'silent', name: 'connector-bling-test' });
const signal = new AbortController().signal;
let seq = 0;

beforeAll(async () => {
  tdb = await createTestDatabase();
  prefix = createTestRedisPrefix();
  redis = new Redis(prefix.url);
  emu = await startBlingEmulator();
  deps = {
    db: tdb.db,
    redis,
    redisPrefix: prefix.prefix,
    box,
    retry: { baseDelayMs: 100, maxDelayMs: 1000, maxRateLimitWaits: 20 },
  };
});

afterAll(async () => {
  await emu?.close();
  redis?.disconnect();
  await prefix?.cleanup();
  await tdb?.drop();
});

beforeEach(() => {
  emu.reset();
});

interface Options {
  settings?: Record<string, unknown>;
  /** Default: a fresh, valid token pair issued by the emulator. */
  credentials?: Record<string, unknown>;
  dryRun?: boolean;
  target?: BlingEmulator;
}

async function connect(options: Options = {}): Promise<{ connector: ErpConnector; integrationId: string }> {
  const target = options.target ?? emu;
  const credentials = options.credentials ?? freshCredentials(target);
  const integration = await insertIntegration(tdb.db, {
    name: `bling-${++seq}`,
    platform: 'BLING',
    enabled: true,
    settings: { baseUrl: target.url, ...options.settings },
    credentials_sealed: sealCredentials(box, credentials),
  });
  const connector = (await createPlatformConnector(deps, blingPlatform, integration, {
    dryRun: options.dryRun ?? false,
    log,
  })) as ErpConnector;
  return { connector, integrationId: integration.id };
}

function freshCredentials(target: BlingEmulator) {
  const t = target.issueTokens();
  return {
    clientId: target.clientId,
    clientSecret: target.clientSecret,
    refreshToken: t.refreshToken,
    accessToken: t.accessToken,
    expiresAt: t.expiresAt.toISOString(),
  };
}

async function readAll<T>(
  list: (q: IncrementalQuery) => Promise<Page<T>>,
  q: Omit<IncrementalQuery, 'signal' | 'cursor'>,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await list({ ...q, signal, ...(cursor !== undefined ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.next;
    pages++;
  } while (cursor !== undefined && pages < 1000);
  return { items, pages };
}

/** Calls Bling accepted (a 429 was not processed, and the layer sends it again). */
const calls = (method: string, path: string) =>
  emu.requests.all().filter((r) => r.method === method && r.path === path && r.status !== 429);
const skus = (items: ErpProduct[]) => items.map((p) => p.sku).sort();

function order(externalId: string, lines: OrderForErp['lines']): OrderForErp {
  return {
    externalId,
    packId: null,
    status: 'PAID',
    total: lines.reduce((s, l) => s + Number(l.unitPrice) * l.quantity, 0).toFixed(2),
    lines,
    createdAt: new Date('2025-06-01T02:30:00Z'),
    updatedAt: new Date('2025-06-01T02:30:00Z'),
    channel: 'NUVEMSHOP',
  };
}

describe('Bling connector: reads', () => {
  it('pages products to the end (short last page), flattening variations under their parent', async () => {
    const seeded = await seedBling(emu, sampleBlingSeed(23)); // 23 products, 4 with 2 variations: 31 records
    const { connector } = await connect();
    const { items, pages } = await readAll((q) => connector.listProducts(q), { pageSize: 10 });

    expect(pages).toBe(4);
    const gets = calls('GET', '/produtos').filter((r) => r.status === 200);
    expect(gets.map((r) => [r.query.pagina?.[0], r.query.limite?.[0]])).toEqual([
      ['1', '10'],
      ['2', '10'],
      ['3', '10'],
      ['4', '10'],
    ]);
    // Parents of variations are not SKUs: 19 simple products and 8 variations.
    expect(items).toHaveLength(27);
    expect(skus(items)).not.toContain('SKU-0005');
    const variation = items.find((p) => p.sku === 'SKU-0005-P');
    expect(variation).toMatchObject({
      externalId: String(seeded.products['SKU-0005-P']),
      parentExternalId: String(seeded.products['SKU-0005']),
      price: '15.00',
    });
    expect(items.find((p) => p.sku === 'SKU-0001')).toMatchObject({
      name: 'Produto 1',
      parentExternalId: null,
    });
    // A page size above Bling's maximum is capped at 100.
    await connector.listProducts({ pageSize: 500, signal });
    expect(calls('GET', '/produtos').at(-1)?.query.limite).toEqual(['100']);
  });

  it('an exactly full last page is followed by one empty page, then stops', async () => {
    await seedBling(emu, {
      products: Array.from({ length: 20 }, (_, i) => ({ sku: `F${i}`, name: `F${i}`, price: 1 })),
    });
    const { connector } = await connect();
    const { items, pages } = await readAll((q) => connector.listProducts(q), { pageSize: 10 });
    expect(items).toHaveLength(20);
    expect(pages).toBe(3);
  });

  it('incremental reads filter dataAlteracaoInicial in São Paulo local time, inclusive at 1-s resolution', async () => {
    expect(toBlingDateTime(new Date('2025-06-01T12:00:05.400Z'))).toBe('2025-06-01 09:00:05');
    const base = toSecond(Date.now()) - 3600_000;
    await seedBling(emu, {
      products: [
        { sku: 'OLD', name: 'old', price: 1, updatedAt: base - 60_000 },
        { sku: 'TIE', name: 'tie', price: 1, updatedAt: base },
        { sku: 'NEW', name: 'new', price: 1, updatedAt: base + 1000 },
      ],
    });
    const { connector } = await connect();
    const since = new Date(base + 400);
    const page = await connector.listProducts({ updatedSince: since, pageSize: 100, signal });

    expect(skus(page.items)).toEqual(['NEW', 'TIE']);
    const q = calls('GET', '/produtos').at(-1)?.query;
    expect(q?.dataAlteracaoInicial).toEqual([formatLocalDateTime(base, -180)]);
    expect(q?.dataAlteracaoInicial?.[0]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(page.items.find((p) => p.sku === 'TIE')?.updatedAt.getTime()).toBe(base);
  });

  it('a watermark older than a year is read in windows Bling accepts (never a 400)', async () => {
    const now = toSecond(Date.now());
    const day = 24 * 3600_000;
    await seedBling(emu, {
      products: [
        { sku: 'Y-700', name: 'a', price: 1, updatedAt: now - 700 * day },
        { sku: 'Y-400', name: 'b', price: 1, updatedAt: now - 400 * day },
        { sku: 'Y-10', name: 'c', price: 1, updatedAt: now - 10 * day },
      ],
    });
    const { connector } = await connect();
    const { items } = await readAll((q) => connector.listProducts(q), {
      updatedSince: new Date(now - 800 * day),
      pageSize: 100,
    });
    expect(skus(items)).toEqual(['Y-10', 'Y-400', 'Y-700']);
    const gets = calls('GET', '/produtos');
    expect(gets.every((r) => r.status !== 400)).toBe(true);
    expect(gets.filter((r) => r.query.dataAlteracaoFinal).length).toBeGreaterThanOrEqual(2);
  });

  it('ties and lag: a later read with the overlap finds what an earlier read could not see yet', async () => {
    await seedBling(emu, { config: { lagMs: 2000 } });
    const t0 = emu.clock.now();
    await seedBling(emu, {
      products: [
        { sku: 'P1', name: 'p1', price: 1 },
        { sku: 'P2', name: 'p2', price: 1 },
      ],
    });
    emu.clock.advance(3000);
    const { connector } = await connect();
    const first = await connector.listProducts({ pageSize: 100, signal });
    expect(skus(first.items)).toEqual(['P1', 'P2']);
    const watermark = Math.max(...first.items.map((p) => p.updatedAt.getTime()));
    expect(watermark).toBe(toSecond(t0));

    // Written now: one stamped in the watermark's second (a tie), one later; lists lag behind writes.
    await seedBling(emu, {
      products: [
        { sku: 'P3', name: 'p3', price: 1, updatedAt: watermark },
        { sku: 'P4', name: 'p4', price: 1 },
      ],
    });
    const overlapMs = 5 * 60_000;
    const during = await connector.listProducts({
      updatedSince: new Date(watermark - overlapMs),
      pageSize: 100,
      signal,
    });
    expect(skus(during.items)).toEqual(['P1', 'P2']);

    emu.clock.advance(2000);
    const after = await connector.listProducts({
      updatedSince: new Date(watermark - overlapMs),
      pageSize: 100,
      signal,
    });
    expect(skus(after.items)).toEqual(['P1', 'P2', 'P3', 'P4']);
    // Without the inclusive tie (a watermark one second later) the tie would be lost for good.
    const exclusive = await connector.listProducts({
      updatedSince: new Date(watermark + 1000),
      pageSize: 100,
      signal,
    });
    expect(skus(exclusive.items)).toEqual(['P4']);
  });

  it('stock: per depósito, or the configured depósito only; parents of variations are skipped', async () => {
    await seedBling(emu, sampleBlingSeed(5));
    const all = await connect();
    const { items } = await readAll((q) => all.connector.listStock(q), { pageSize: 100 });
    // 4 simple + 2 variations, two depósitos each.
    expect(items).toHaveLength(12);
    expect(items.filter((l) => l.sku === 'SKU-0002')).toEqual([
      expect.objectContaining({ warehouse: '1', onHand: 4 }),
      expect.objectContaining({ warehouse: '2', onHand: 2 }),
    ]);
    const saldo = calls('GET', '/estoques/saldos').at(-1);
    expect(saldo?.query['idsProdutos[]']).toHaveLength(6);

    const one = await connect({ settings: { depositoId: 2 } });
    const levels = await readAll((q) => one.connector.listStock(q), { pageSize: 100 });
    expect(levels.items).toHaveLength(6);
    expect(levels.items.find((l) => l.sku === 'SKU-0005-G')).toMatchObject({ warehouse: '2', onHand: 5 });
    expect(calls('GET', '/estoques/saldos/2')).toHaveLength(1);
  });
});

describe('Bling connector: auth', () => {
  it('refreshes an expired token with rotation: the next refresh uses the new refresh token', async () => {
    await seedBling(emu, sampleBlingSeed(3));
    const credentials = freshCredentials(emu);
    const { connector } = await connect({ credentials });
    await connector.listProducts({ pageSize: 100, signal });

    // The emulator's clock passes the 6-h TTL; the connector learns it from a 401.
    emu.clock.advance(6 * 3600_000 + 60_000);
    emu.requests.clear();
    const page = await connector.listProducts({ pageSize: 100, signal });
    expect(page.items).toHaveLength(3);
    const seen = emu.requests.all().map((r) => `${r.method} ${r.path} ${r.status}`);
    expect(seen).toEqual(['GET /produtos 401', 'POST /oauth/token 200', 'GET /produtos 200']);
    const firstRefresh = emu.requests.all()[1]!;
    expect(firstRefresh.body).toEqual({
      grant_type: 'refresh_token',
      refresh_token: credentials.refreshToken,
    });
    expect(firstRefresh.hasAuthorization).toBe(true);
    expect(firstRefresh.headers['enable-jwt']).toBe('1');

    // The used refresh token is dead.
    const reuse = await fetch(`${emu.url}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${emu.clientId}:${emu.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credentials.refreshToken }),
    });
    expect(reuse.status).toBe(400);
    expect(await reuse.json()).toMatchObject({ error: { type: 'invalid_grant' } });

    emu.clock.advance(6 * 3600_000 + 60_000);
    emu.requests.clear();
    await connector.listProducts({ pageSize: 100, signal });
    const refresh = emu.requests.all().find((r) => r.path === '/oauth/token');
    expect(refresh?.status).toBe(200);
    const used = (refresh?.body as { refresh_token: string }).refresh_token;
    expect(used).not.toBe(credentials.refreshToken);
  });

  it('credentials without an access token refresh before the first call', async () => {
    const { accessToken: _a, expiresAt: _e, ...credentials } = freshCredentials(emu);
    const { connector } = await connect({ credentials });
    await connector.checkAuth(signal);
    expect(emu.requests.all().map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'POST /oauth/token 200',
      'GET /produtos 200',
    ]);
  });

  it('401 on every call is an auth error after one refresh attempt, and the integration pauses', async () => {
    const { connector } = await connect();
    emu.faults.add({
      path: '.*',
      status: 401,
      body: { error: { type: 'invalid_token', message: 'invalid_token', description: 'revoked' } },
    });
    await expect(connector.listProducts({ pageSize: 100, signal })).rejects.toBeInstanceOf(PlatformAuthError);
    const sent = emu.requests.all().length;
    expect(sent).toBeLessThanOrEqual(3);
    // The breaker is open: nothing more reaches Bling.
    await expect(connector.listProducts({ pageSize: 100, signal })).rejects.toBeInstanceOf(
      IntegrationPausedError,
    );
    expect(emu.requests.all()).toHaveLength(sent);
  });

  it('a revoked grant (refresh refused with invalid_grant) is an auth error', async () => {
    const { connector } = await connect();
    await seedBling(emu, { auth: { revokeAll: true } });
    await expect(connector.checkAuth(signal)).rejects.toBeInstanceOf(PlatformAuthError);
    expect(emu.requests.all().map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'GET /produtos 401',
      'POST /oauth/token 400',
    ]);
  });
});

describe('Bling connector: limits', () => {
  function maxInWindow(entries: RequestLogEntry[], windowMs: number): number {
    let max = 0;
    for (let i = 0; i < entries.length; i++) {
      let n = 0;
      for (let j = i; j < entries.length && entries[j]!.wallMs - entries[i]!.wallMs < windowMs; j++) n++;
      max = Math.max(max, n);
    }
    return max;
  }

  it('paces reads at 3/s: after the burst, no more than 3 calls in any second, and every page arrives', async () => {
    await seedBling(emu, {
      products: Array.from({ length: 30 }, (_, i) => ({ sku: `R${i}`, name: `R${i}`, price: 1 })),
    });
    const { connector } = await connect();
    const started = Date.now();
    const { items } = await readAll((q) => connector.listProducts(q), { pageSize: 3 });
    const elapsed = Date.now() - started;
    expect(items).toHaveLength(30);
    const log = emu.requests.all();
    const ok = log.filter((r) => r.status === 200);
    expect(ok).toHaveLength(11);
    // A token bucket of 3 at 3/s: the burst, then one call every third of a second.
    expect(maxInWindow(log, 1000)).toBeLessThanOrEqual(6);
    expect(maxInWindow(log.slice(3), 1000)).toBeLessThanOrEqual(4);
    expect(elapsed).toBeGreaterThanOrEqual(((log.length - 3) / 3) * 1000 - 400);
    // Bling never counted more than 3 accepted calls in one of its seconds.
    const perSecond = new Map<number, number>();
    for (const r of ok)
      perSecond.set(Math.floor(r.clockMs / 1000), (perSecond.get(Math.floor(r.clockMs / 1000)) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(3);
  });

  it('429 TOO_MANY_REQUESTS is waited out: a client set too fast still reads everything, backing off', async () => {
    await seedBling(emu, {
      products: Array.from({ length: 24 }, (_, i) => ({ sku: `Q${i}`, name: `Q${i}`, price: 1 })),
    });
    const { connector } = await connect({ settings: { rateLimit: { burst: 20, perSecond: 20 } } });
    const { items } = await readAll((q) => connector.listProducts(q), { pageSize: 2 });
    expect(items).toHaveLength(24);
    const log = emu.requests.all();
    const limited = log.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    // Each 429 blocks the integration's bucket: the next call waits instead of hammering.
    for (const r of limited) {
      const next = log.find((x) => x.seq > r.seq);
      if (next) expect(next.wallMs - r.wallMs).toBeGreaterThanOrEqual(40);
    }
    expect(limited.length).toBeLessThan(log.length);
  });

  it("an IP block (403 after an error storm) is a rate-limited error for the block's length", async () => {
    const blocked = await startBlingEmulator({ errorBlockThreshold: 3 });
    try {
      const { connector } = await connect({ target: blocked });
      for (let i = 0; i < 3; i++)
        await fetch(`${blocked.url}/produtos`, { headers: { authorization: 'Bearer nope' } });
      const err = await connector.listProducts({ pageSize: 10, signal }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PlatformRateLimitedError);
      expect((err as PlatformRateLimitedError).retryAfterMs).toBe(10 * 60_000);
      blocked.clock.advance(10 * 60_000 + 1000);
      const { connector: later } = await connect({ target: blocked });
      await expect(later.listProducts({ pageSize: 10, signal })).resolves.toMatchObject({ items: [] });
    } finally {
      await blocked.close();
    }
  });
});

describe('Bling connector: order import', () => {
  beforeEach(async () => {
    await seedBling(emu, sampleBlingSeed(5));
  });

  it('is idempotent: the second import finds numeroLoja and skips; Bling holds one order', async () => {
    const { connector } = await connect({ settings: { contactId: 9, stores: { NUVEMSHOP: 77 } } });
    const o = order('NS-1001', [
      { sku: 'SKU-0001', quantity: 2, unitPrice: '11.00' },
      { sku: 'SKU-0005-G', quantity: 1, unitPrice: '15.50' },
    ]);
    const first = await connector.importOrder(o, { dryRun: false, signal });
    expect(first).toMatchObject({ key: 'NS-1001', status: 'ok', code: 'CREATED' });
    const second = await connector.importOrder(o, { dryRun: false, signal });
    expect(second).toMatchObject({
      key: 'NS-1001',
      status: 'skipped',
      code: 'ALREADY_IMPORTED',
      erpId: first.erpId,
    });

    const orders = emu.orders();
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({
      id: Number(first.erpId),
      numeroLoja: 'NS-1001',
      loja: { id: 77 },
      contato: { id: 9 },
      data: '2025-05-31',
      total: 37.5,
    });
    expect(orders[0]?.itens.map((i) => [i.codigo, i.quantidade, i.valor])).toEqual([
      ['SKU-0001', 2, 11],
      ['SKU-0005-G', 1, 15.5],
    ]);
    expect(calls('POST', '/pedidos/vendas')).toHaveLength(1);
    const lookups = calls('GET', '/pedidos/vendas');
    expect(lookups).toHaveLength(2);
    expect(lookups[0]?.query).toMatchObject({ 'numerosLojas[]': ['NS-1001'], idLoja: ['77'] });
  });

  it('an order Bling refuses (unknown SKU) is an item failure with Bling’s message, nothing created', async () => {
    const { connector } = await connect({ settings: { contactId: 9 } });
    const result = await connector.importOrder(
      order('NS-2', [{ sku: 'NOPE', quantity: 1, unitPrice: '1.00' }]),
      {
        dryRun: false,
        signal,
      },
    );
    expect(result).toMatchObject({ key: 'NS-2', status: 'failed', code: 'REJECTED' });
    expect(result.message).toContain('NOPE não encontrado');
    expect(emu.orders()).toHaveLength(0);
  });

  it('without a configured contact the order is not sent', async () => {
    const { connector } = await connect();
    const result = await connector.importOrder(
      order('NS-3', [{ sku: 'SKU-0001', quantity: 1, unitPrice: '1.00' }]),
      {
        dryRun: false,
        signal,
      },
    );
    expect(result).toMatchObject({ status: 'failed', code: 'CONTACT_NOT_CONFIGURED' });
    expect(calls('POST', '/pedidos/vendas')).toHaveLength(0);
  });

  it('a dry run reads and reports but sends no write at all', async () => {
    await seedBling(emu, {
      orders: [{ numeroLoja: 'NS-OLD', items: [{ sku: 'SKU-0001', quantity: 1, price: 11 }] }],
    });
    const { connector } = await connect({ dryRun: true, settings: { contactId: 9 } });
    await readAll((q) => connector.listProducts(q), { pageSize: 100 });
    await readAll((q) => connector.listStock(q), { pageSize: 100 });
    const planned = await connector.importOrder(
      order('NS-NEW', [{ sku: 'SKU-0001', quantity: 1, unitPrice: '11.00' }]),
      { dryRun: true, signal },
    );
    expect(planned).toMatchObject({ key: 'NS-NEW', status: 'skipped', code: 'DRY_RUN' });
    const known = await connector.importOrder(
      order('NS-OLD', [{ sku: 'SKU-0001', quantity: 1, unitPrice: '11.00' }]),
      { dryRun: true, signal },
    );
    expect(known).toMatchObject({ status: 'skipped', code: 'ALREADY_IMPORTED' });
    const log = emu.requests.all();
    expect(log.length).toBeGreaterThanOrEqual(5);
    expect(log.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(emu.orders()).toHaveLength(1);
  });
});

describe('Bling connector: faults', () => {
  it('a 502, a connection reset and a broken JSON body on reads are retried to the right result', async () => {
    await seedBling(emu, sampleBlingSeed(3));
    const { connector } = await connect();
    const ids = emu.faults.add([
      { method: 'GET', path: '^/produtos$', nth: 1, status: 502, body: { error: 'bad gateway' } },
      { method: 'GET', path: '^/produtos$', nth: 2, reset: true },
      { method: 'GET', path: '^/produtos$', nth: 3, invalidJson: true },
    ]);
    const page = await connector.listProducts({ pageSize: 100, signal });
    expect(skus(page.items)).toEqual(['SKU-0001', 'SKU-0002', 'SKU-0003']);
    expect(emu.requests.all().map((r) => r.fault ?? r.status)).toEqual([...ids, 200]);
  });

  it('an order POST whose reply is lost is not resent blindly; the next import finds it by numeroLoja', async () => {
    await seedBling(emu, sampleBlingSeed(2));
    const { connector } = await connect({ settings: { contactId: 9 } });
    emu.faults.add({ method: 'POST', path: '^/pedidos/vendas$', reset: true, afterHandler: true });
    const o = order('NS-LOST', [{ sku: 'SKU-0001', quantity: 1, unitPrice: '11.00' }]);
    await expect(connector.importOrder(o, { dryRun: false, signal })).rejects.toMatchObject({
      code: 'PLATFORM_UNAVAILABLE',
    });
    expect(calls('POST', '/pedidos/vendas')).toHaveLength(1);
    const again = await connector.importOrder(o, { dryRun: false, signal });
    expect(again).toMatchObject({ status: 'skipped', code: 'ALREADY_IMPORTED' });
    expect(emu.orders()).toHaveLength(1);
  });
});

describe('Bling emulator wire behaviour', () => {
  const bearer = () => ({ authorization: `Bearer ${emu.issueTokens().accessToken}` });

  it('refuses ranges over a year, dates with an offset, and limite above 100', async () => {
    const h = bearer();
    const over = await fetch(
      `${emu.url}/produtos?dataAlteracaoInicial=2023-01-01%2000:00:00&dataAlteracaoFinal=2024-01-02%2000:00:00`,
      { headers: h },
    );
    expect(over.status).toBe(400);
    expect(await over.json()).toMatchObject({ error: { type: 'VALIDATION_ERROR' } });
    emu.clock.advance(1000);
    const iso = await fetch(`${emu.url}/produtos?dataAlteracaoInicial=2025-01-01T00:00:00Z`, { headers: h });
    expect(iso.status).toBe(400);
    emu.clock.advance(1000);
    expect((await fetch(`${emu.url}/produtos?limite=101`, { headers: h })).status).toBe(400);
  });

  it('answers the 4th call in a second with 429 TOO_MANY_REQUESTS, and the daily quota likewise', async () => {
    const h = bearer();
    const statuses: number[] = [];
    let body: unknown;
    emu.clock.set(Math.ceil(Date.now() / 1000) * 1000 + 60_000);
    const at = emu.clock.now();
    for (let i = 0; i < 4; i++) {
      emu.clock.set(at + i); // all within one clock second, however slow the machine
      const r = await fetch(`${emu.url}/produtos`, { headers: h });
      statuses.push(r.status);
      body = await r.json();
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(body).toEqual({
      error: {
        type: 'TOO_MANY_REQUESTS',
        message: expect.any(String),
        description: expect.any(String),
        limit: 3,
        period: 'second',
      },
    });
    await seedBling(emu, { config: { dailyQuota: 4 } });
    emu.clock.advance(1000);
    const quota = await fetch(`${emu.url}/produtos`, { headers: h });
    expect(quota.status).toBe(200);
    emu.clock.advance(1000);
    const over = await fetch(`${emu.url}/produtos`, { headers: h });
    expect(over.status).toBe(429);
    expect(await over.json()).toMatchObject({ error: { period: 'day', limit: 4 } });
  });

  it('blocks the IP for 10 minutes after 300 errors in 10 s', async () => {
    for (let i = 0; i < 300; i++)
      await fetch(`${emu.url}/produtos`, { headers: { authorization: 'Bearer bad' } });
    const h = bearer();
    const blocked = await fetch(`${emu.url}/produtos`, { headers: h });
    expect(blocked.status).toBe(403);
    emu.clock.advance(9 * 60_000);
    expect((await fetch(`${emu.url}/produtos`, { headers: h })).status).toBe(403);
    emu.clock.advance(61_000);
    expect((await fetch(`${emu.url}/produtos`, { headers: h })).status).toBe(200);
  });

  it('creates a second order for a repeated numeroLoja (only the connector deduplicates)', async () => {
    await seedBling(emu, sampleBlingSeed(2));
    const h = { ...bearer(), 'content-type': 'application/json' };
    const payload = JSON.stringify({
      numeroLoja: 'DUP-1',
      contato: { id: 1 },
      itens: [{ codigo: 'SKU-0001', quantidade: 1, valor: 11 }],
    });
    for (let i = 0; i < 2; i++) {
      emu.clock.advance(1000);
      const r = await fetch(`${emu.url}/pedidos/vendas`, { method: 'POST', headers: h, body: payload });
      expect(r.status).toBe(201);
    }
    expect(emu.orders().filter((o) => o.numeroLoja === 'DUP-1')).toHaveLength(2);
  });

  it('POST /estoques: B sets the balance, E adds, S subtracts', async () => {
    const ids = await seedBling(emu, {
      ...sampleBlingSeed(1),
      stock: [{ sku: 'SKU-0001', warehouseId: 1, quantity: 5 }],
    });
    const h = { ...bearer(), 'content-type': 'application/json' };
    const move = async (operacao: string, quantidade: number) => {
      emu.clock.advance(1000);
      const r = await fetch(`${emu.url}/estoques`, {
        method: 'POST',
        headers: h,
        body: JSON.stringify({
          produto: { id: ids.products['SKU-0001'] },
          deposito: { id: 1 },
          operacao,
          quantidade,
        }),
      });
      expect(r.status).toBe(201);
    };
    await move('E', 3);
    expect(emu.stockOf('SKU-0001')[1]).toBe(8);
    await move('S', 2);
    expect(emu.stockOf('SKU-0001')[1]).toBe(6);
    await move('B', 40);
    expect(emu.stockOf('SKU-0001')[1]).toBe(40);
  });
});
