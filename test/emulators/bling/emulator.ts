/**
 * A local Bling API v3 for connector tests and demos: the paths, query parameters and JSON of the real API
 * (results in `{ data }`, errors in `{ error: { type, message, description } }`), one Bling account per emulator.
 *
 * What it reproduces, all on the emulator clock:
 * - OAuth: `POST /oauth/token` with Basic client credentials and a form body (`authorization_code` or
 *   `refresh_token`); access tokens live `accessTokenTtlMs` (6 h); each refresh returns a new refresh token and the
 *   old one is dead (`400 invalid_grant` when reused); expired or unknown access tokens get `401 invalid_token`.
 *   `enable-jwt: 1` on the token call gets a JWT-shaped token.
 * - Products: `GET /produtos?pagina&limite&dataAlteracaoInicial&dataAlteracaoFinal&codigos[]` (limite ≤ 100; dates
 *   are São Paulo local time `YYYY-MM-DD HH:MM:SS` without offset; a range over one year → 400), variations as
 *   products with `idProdutoPai`; `GET /produtos/{id}`. `dataAlteracao` has 1-s resolution (ties), and lists see a
 *   write only `lagMs` after it (GET by id at once).
 * - Stock: `GET /estoques/saldos?idsProdutos[]` (per depósito), `GET /estoques/saldos/{idDeposito}?idsProdutos[]`,
 *   `POST /estoques` with operacao B (balanço: set), E (entrada), S (saída).
 * - Orders: `GET /pedidos/vendas?numerosLojas[]&numeroLoja&idLoja&pagina&limite`, `GET /pedidos/vendas/{id}`,
 *   `POST /pedidos/vendas` — which, like the real ERP, does not deduplicate `numeroLoja`.
 * - Limits: `perSecond` calls per clock second per account and a daily quota (São Paulo day) → 429
 *   TOO_MANY_REQUESTS with `limit` and `period`; IP blocks (300 errors in 10 s, 600 calls in 10 s → 10 min;
 *   20 token calls in 60 s → 60 min) answering `blockStatus` (403) for the block's length.
 * Paths work at the root and under `/Api/v3`, so a connector's base URL may be either.
 */
import { randomBytes } from 'node:crypto';
import {
  createClock,
  createLaggedStore,
  createRouter,
  createSlidingCounter,
  formatLocalDateTime,
  json,
  parseLocalDateTime,
  startEmulator,
  toSecond,
  type Emulator,
  type EmulatorClock,
  type EmulatorRequest,
  type EmulatorResponse,
} from '../kit.ts';
import { blingSeedSchema, type BlingSeedResult, type ParsedBlingSeed } from './seed.ts';

/** São Paulo has kept UTC−3 all year since 2019. */
export const SAO_PAULO_OFFSET_MIN = -180;
const YEAR_MS = 365 * 24 * 3600_000;

export interface BlingEmulatorOptions {
  port?: number;
  host?: string;
  clock?: EmulatorClock;
  clientId?: string;
  clientSecret?: string;
  accessTokenTtlMs?: number;
  refreshTokenTtlMs?: number;
  /** Calls per clock second per account. */
  perSecond?: number;
  dailyQuota?: number;
  /** How long after a write lists and filters see it. */
  lagMs?: number;
  /** Errors (status ≥ 400) within `errorWindowMs` that block the IP. */
  errorBlockThreshold?: number;
  errorWindowMs?: number;
  /** Calls within `errorWindowMs` that block the IP. */
  requestBlockThreshold?: number;
  blockMs?: number;
  tokenCallBlockThreshold?: number;
  tokenCallWindowMs?: number;
  tokenCallBlockMs?: number;
  /** Status answered while the IP is blocked. */
  blockStatus?: 403 | 429;
}

export interface BlingProductRecord {
  id: number;
  idProdutoPai: number | null;
  codigo: string;
  nome: string;
  preco: number;
  formato: 'S' | 'V';
  situacao: 'A' | 'I';
  dataAlteracao: number;
}

export interface BlingOrderRecord {
  id: number;
  numero: number;
  numeroLoja: string;
  data: string;
  loja: { id: number };
  contato: { id: number };
  itens: { codigo: string; produto: { id: number }; quantidade: number; valor: number; descricao: string }[];
  total: number;
  dataAlteracao: number;
}

export interface BlingEmulator extends Emulator {
  /** Seeds directly (same as POST /__admin/seed). */
  seed(seed: unknown): BlingSeedResult;
  /** Tokens as a test would store them after the OAuth consent: a fresh pair, registered as issued. */
  issueTokens(): { accessToken: string; refreshToken: string; expiresAt: Date };
  /** An authorization code for the `authorization_code` grant. */
  issueAuthorizationCode(): string;
  clientId: string;
  clientSecret: string;
  /** Current state (latest versions, not what lists see). */
  products(): BlingProductRecord[];
  orders(): BlingOrderRecord[];
  stockOf(sku: string): Record<number, number>;
}

function blingError(status: number, type: string, message: string, description?: string, extra?: object) {
  return json(status, { error: { type, message, description: description ?? message, ...extra } });
}

const positiveInt = (v: string | undefined, fallback: number) => {
  if (v === undefined) return fallback;
  return /^\d+$/.test(v) ? Number(v) : NaN;
};

export async function startBlingEmulator(options: BlingEmulatorOptions = {}): Promise<BlingEmulator> {
  const clock = options.clock ?? createClock();
  const clientId = options.clientId ?? 'bling-client-id';
  const clientSecret = options.clientSecret ?? 'bling-client-secret';
  const cfg = {
    accessTokenTtlMs: options.accessTokenTtlMs ?? 6 * 3600_000,
    refreshTokenTtlMs: options.refreshTokenTtlMs ?? 30 * 24 * 3600_000,
    perSecond: options.perSecond ?? 3,
    dailyQuota: options.dailyQuota ?? 120_000,
    lagMs: options.lagMs ?? 0,
  };
  const defaults = { ...cfg };
  const errorWindowMs = options.errorWindowMs ?? 10_000;
  const blockMs = options.blockMs ?? 10 * 60_000;
  const blockStatus = options.blockStatus ?? 403;

  // --- state
  let nextId = 1000;
  let nextOrderNumber = 1;
  let warehouses: { id: number; name: string; default: boolean }[] = [];
  const products = createLaggedStore<BlingProductRecord>({ clock, lagMs: cfg.lagMs });
  const orders = createLaggedStore<BlingOrderRecord>({ clock, lagMs: cfg.lagMs });
  let stock = new Map<number, Map<number, number>>();
  let accessTokens = new Map<string, number>();
  let refreshTokens = new Map<string, number>();
  let authCodes = new Map<string, number>();
  // --- limits
  let secondWindow = { second: -1, count: 0 };
  let dayWindow = { day: '', count: 0 };
  const errors = createSlidingCounter({ clock, windowMs: errorWindowMs });
  const calls = createSlidingCounter({ clock, windowMs: errorWindowMs });
  const tokenCalls = createSlidingCounter({ clock, windowMs: options.tokenCallWindowMs ?? 60_000 });
  let blockedUntil = 0;

  const defaultWarehouses = () => [{ id: 1, name: 'Geral', default: true }];

  function resetState() {
    Object.assign(cfg, defaults);
    products.setLag(cfg.lagMs);
    orders.setLag(cfg.lagMs);
    nextId = 1000;
    nextOrderNumber = 1;
    warehouses = defaultWarehouses();
    products.clear();
    orders.clear();
    stock = new Map();
    accessTokens = new Map();
    refreshTokens = new Map();
    authCodes = new Map();
    secondWindow = { second: -1, count: 0 };
    dayWindow = { day: '', count: 0 };
    errors.reset();
    calls.reset();
    tokenCalls.reset();
    blockedUntil = 0;
  }
  resetState();

  const findBySku = (sku: string) => products.all().find((p) => p.codigo === sku);
  const defaultWarehouseId = () => (warehouses.find((w) => w.default) ?? warehouses[0])?.id ?? 1;

  function upsertProduct(
    sku: string,
    fields: {
      nome: string;
      preco: number;
      idProdutoPai: number | null;
      formato: 'S' | 'V';
      situacao: 'A' | 'I';
    },
    updatedAt?: number,
  ): BlingProductRecord {
    const existing = findBySku(sku);
    const record: BlingProductRecord = {
      id: existing?.id ?? nextId++,
      codigo: sku,
      ...fields,
      dataAlteracao: toSecond(updatedAt ?? clock.now()),
    };
    products.put(String(record.id), record);
    return record;
  }

  function createOrder(
    input: Omit<BlingOrderRecord, 'id' | 'numero' | 'dataAlteracao' | 'total'>,
  ): BlingOrderRecord {
    const order: BlingOrderRecord = {
      ...input,
      id: nextId++,
      numero: nextOrderNumber++,
      total: Math.round(input.itens.reduce((s, i) => s + i.quantidade * i.valor, 0) * 100) / 100,
      dataAlteracao: toSecond(clock.now()),
    };
    orders.put(String(order.id), order);
    return order;
  }

  function applySeed(raw: unknown): BlingSeedResult {
    const parsed = blingSeedSchema.safeParse(raw);
    if (!parsed.success) throw new Error(`invalid Bling seed: ${parsed.error.message}`);
    const seed: ParsedBlingSeed = parsed.data;
    const result: BlingSeedResult = { products: {}, orders: [] };
    if (seed.config) {
      Object.assign(cfg, Object.fromEntries(Object.entries(seed.config).filter(([, v]) => v !== undefined)));
      products.setLag(cfg.lagMs);
      orders.setLag(cfg.lagMs);
    }
    if (seed.warehouses) {
      warehouses = seed.warehouses.map((w, i) => ({ ...w, default: w.default ?? i === 0 }));
    }
    for (const p of seed.products ?? []) {
      const situacao = p.active === false ? 'I' : 'A';
      const hasVariations = (p.variations?.length ?? 0) > 0;
      const parent = upsertProduct(
        p.sku,
        { nome: p.name, preco: p.price, idProdutoPai: null, formato: hasVariations ? 'V' : 'S', situacao },
        p.updatedAt,
      );
      result.products[p.sku] = parent.id;
      for (const v of p.variations ?? []) {
        const child = upsertProduct(
          v.sku,
          {
            nome: v.name ?? `${p.name} ${v.sku}`,
            preco: v.price ?? p.price,
            idProdutoPai: parent.id,
            formato: 'S',
            situacao,
          },
          v.updatedAt ?? p.updatedAt,
        );
        result.products[v.sku] = child.id;
      }
    }
    for (const s of seed.stock ?? []) {
      const product = findBySku(s.sku);
      if (!product) throw new Error(`stock for unknown SKU ${s.sku}`);
      const byWarehouse = stock.get(product.id) ?? new Map<number, number>();
      byWarehouse.set(s.warehouseId ?? defaultWarehouseId(), s.quantity);
      stock.set(product.id, byWarehouse);
    }
    for (const o of seed.orders ?? []) {
      const order = createOrder({
        numeroLoja: o.numeroLoja ?? '',
        data: o.date ?? formatLocalDateTime(clock.now(), SAO_PAULO_OFFSET_MIN).slice(0, 10),
        loja: { id: o.storeId ?? 0 },
        contato: { id: o.contactId ?? 1 },
        itens: o.items.map((i) => {
          const product = findBySku(i.sku);
          if (!product) throw new Error(`order item with unknown SKU ${i.sku}`);
          return {
            codigo: i.sku,
            produto: { id: product.id },
            quantidade: i.quantity,
            valor: i.price,
            descricao: product.nome,
          };
        }),
      });
      result.orders.push(order.id);
    }
    if (seed.auth?.revokeAll) {
      accessTokens.clear();
      refreshTokens.clear();
    }
    if (seed.auth?.accessToken) {
      accessTokens.set(
        seed.auth.accessToken,
        seed.auth.accessExpiresAt ?? clock.now() + cfg.accessTokenTtlMs,
      );
    }
    if (seed.auth?.refreshToken)
      refreshTokens.set(seed.auth.refreshToken, clock.now() + cfg.refreshTokenTtlMs);
    return result;
  }

  // --- OAuth

  function newToken(jwt: boolean): string {
    if (!jwt) return randomBytes(20).toString('hex');
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    return `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub: clientId, iat: Math.floor(clock.now() / 1000), jti: randomBytes(12).toString('hex') })}.${randomBytes(32).toString('base64url')}`;
  }

  function issue(jwt = false) {
    const accessToken = newToken(jwt);
    const refreshToken = randomBytes(20).toString('hex');
    const expiresAt = clock.now() + cfg.accessTokenTtlMs;
    accessTokens.set(accessToken, expiresAt);
    refreshTokens.set(refreshToken, clock.now() + cfg.refreshTokenTtlMs);
    return { accessToken, refreshToken, expiresAt };
  }

  function tokenCall(req: EmulatorRequest): EmulatorResponse {
    if (tokenCalls.hit() > (options.tokenCallBlockThreshold ?? 20)) {
      blockedUntil = Math.max(blockedUntil, clock.now() + (options.tokenCallBlockMs ?? 60 * 60_000));
    }
    const basic = /^Basic\s+(.+)$/i.exec(String(req.headers.authorization ?? ''));
    const [id, secret] = basic
      ? Buffer.from(basic[1] ?? '', 'base64')
          .toString('utf8')
          .split(':')
      : [];
    if (id !== clientId || secret !== clientSecret) {
      return blingError(401, 'invalid_client', 'invalid_client', 'Client authentication failed');
    }
    const form = req.body as Record<string, string> | undefined;
    if (!form || typeof form !== 'object' || !form.grant_type) {
      return blingError(400, 'invalid_request', 'invalid_request', 'grant_type is required (form body)');
    }
    const jwt = req.headers['enable-jwt'] === '1';
    if (form.grant_type === 'refresh_token') {
      const expires = form.refresh_token ? refreshTokens.get(form.refresh_token) : undefined;
      if (expires === undefined || expires <= clock.now()) {
        return blingError(400, 'invalid_grant', 'invalid_grant', 'Invalid refresh token');
      }
      // Rotation: the refresh token just used is dead.
      refreshTokens.delete(form.refresh_token!);
    } else if (form.grant_type === 'authorization_code') {
      const expires = form.code ? authCodes.get(form.code) : undefined;
      if (expires === undefined || expires <= clock.now()) {
        return blingError(400, 'invalid_grant', 'invalid_grant', 'Invalid authorization code');
      }
      authCodes.delete(form.code!);
    } else {
      return blingError(
        400,
        'unsupported_grant_type',
        'unsupported_grant_type',
        `grant_type ${form.grant_type}`,
      );
    }
    const t = issue(jwt);
    return json(200, {
      access_token: t.accessToken,
      expires_in: Math.round(cfg.accessTokenTtlMs / 1000),
      token_type: 'Bearer',
      scope: '98308 98309 98310 98313 98314',
      refresh_token: t.refreshToken,
    });
  }

  // --- API routes

  const router = createRouter();

  const productJson = (p: BlingProductRecord) => ({
    id: p.id,
    ...(p.idProdutoPai !== null ? { idProdutoPai: p.idProdutoPai } : {}),
    nome: p.nome,
    codigo: p.codigo,
    preco: p.preco,
    tipo: 'P',
    situacao: p.situacao,
    formato: p.formato,
    dataAlteracao: formatLocalDateTime(p.dataAlteracao, SAO_PAULO_OFFSET_MIN),
    estoque: { saldoVirtualTotal: [...(stock.get(p.id)?.values() ?? [])].reduce((a, b) => a + b, 0) },
  });

  function paging(req: EmulatorRequest): { page: number; limit: number } | EmulatorResponse {
    const page = positiveInt(req.query.get('pagina'), 1);
    const limit = positiveInt(req.query.get('limite'), 100);
    if (!(page >= 1) || !(limit >= 1 && limit <= 100)) {
      return blingError(
        400,
        'VALIDATION_ERROR',
        'Parâmetros de paginação inválidos',
        'pagina ≥ 1 e 1 ≤ limite ≤ 100',
      );
    }
    return { page, limit };
  }

  function dateRange(
    req: EmulatorRequest,
    fromKey: string,
    toKey: string,
  ): { from: number; to: number } | EmulatorResponse {
    const fromText = req.query.get(fromKey);
    const toText = req.query.get(toKey);
    const from = fromText === undefined ? -Infinity : parseLocalDateTime(fromText, SAO_PAULO_OFFSET_MIN);
    const to = toText === undefined ? Infinity : parseLocalDateTime(toText, SAO_PAULO_OFFSET_MIN);
    // A bare date as the end means the whole day.
    const toEnd = toText !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(toText.trim()) ? to + 86_399_000 : to;
    if (Number.isNaN(from) || Number.isNaN(to)) {
      return blingError(
        400,
        'VALIDATION_ERROR',
        'Data inválida',
        `${fromKey}/${toKey} no formato YYYY-MM-DD HH:MM:SS (horário de Brasília, sem fuso)`,
      );
    }
    if (fromText !== undefined) {
      const end = toText === undefined ? clock.now() : toEnd;
      if (end - from > YEAR_MS) {
        return blingError(400, 'VALIDATION_ERROR', 'O intervalo de datas não pode ser maior que um ano');
      }
    }
    return { from, to: toEnd };
  }

  const strip = (req: EmulatorRequest) => ({ ...req, path: req.path.replace(/^\/Api\/v3(?=\/)/i, '') });

  router.on('GET', '/produtos', (req) => {
    const p = paging(req);
    if ('status' in p) return p;
    const range = dateRange(req, 'dataAlteracaoInicial', 'dataAlteracaoFinal');
    if ('status' in range) return range;
    const codes = req.query.all('codigos');
    const ids = req.query.all('idsProdutos').map(Number);
    const list = products
      .listVisible()
      .filter((x) => x.dataAlteracao >= range.from && x.dataAlteracao <= range.to)
      .filter((x) => codes.length === 0 || codes.includes(x.codigo))
      .filter((x) => ids.length === 0 || ids.includes(x.id))
      .sort((a, b) => a.id - b.id);
    return json(200, { data: list.slice((p.page - 1) * p.limit, p.page * p.limit).map(productJson) });
  });

  router.on('GET', '/produtos/:id', (req) => {
    const p = products.get(req.params.id ?? '');
    if (!p) return blingError(404, 'RESOURCE_NOT_FOUND', 'Recurso não encontrado', 'Produto não encontrado');
    return json(200, { data: productJson(p) });
  });

  const saldos = (req: EmulatorRequest, warehouseId: number | null) => {
    const ids = req.query.all('idsProdutos').map(Number);
    if (ids.length === 0 || ids.some((n) => !Number.isInteger(n))) {
      return blingError(400, 'VALIDATION_ERROR', 'idsProdutos[] é obrigatório');
    }
    if (warehouseId !== null && !warehouses.some((w) => w.id === warehouseId)) {
      return blingError(404, 'RESOURCE_NOT_FOUND', 'Depósito não encontrado');
    }
    const data = ids.flatMap((id) => {
      const product = products.get(String(id));
      if (!product) return [];
      const levels = stock.get(id) ?? new Map<number, number>();
      const inScope = warehouseId === null ? warehouses.map((w) => w.id) : [warehouseId];
      const depositos = inScope.map((w) => ({
        id: w,
        saldoFisico: levels.get(w) ?? 0,
        saldoVirtual: levels.get(w) ?? 0,
      }));
      const total = depositos.reduce((s, d) => s + d.saldoFisico, 0);
      return [
        {
          produto: { id, codigo: product.codigo },
          saldoFisicoTotal: total,
          saldoVirtualTotal: total,
          ...(warehouseId === null ? { depositos } : {}),
        },
      ];
    });
    return json(200, { data });
  };
  router.on('GET', '/estoques/saldos', (req) => saldos(req, null));
  router.on('GET', '/estoques/saldos/:deposito', (req) => saldos(req, Number(req.params.deposito)));

  router.on('POST', '/estoques', (req) => {
    const b = req.body as
      | { produto?: { id?: unknown }; deposito?: { id?: unknown }; operacao?: unknown; quantidade?: unknown }
      | undefined;
    const productId = Number(b?.produto?.id);
    const warehouseId = Number(b?.deposito?.id ?? defaultWarehouseId());
    const qty = Number(b?.quantidade);
    const fields: { code: number; msg: string; element: string }[] = [];
    if (!products.get(String(productId)))
      fields.push({ code: 1, msg: 'Produto não encontrado', element: 'produto' });
    if (!warehouses.some((w) => w.id === warehouseId))
      fields.push({ code: 2, msg: 'Depósito não encontrado', element: 'deposito' });
    if (!['B', 'E', 'S'].includes(String(b?.operacao)))
      fields.push({ code: 3, msg: 'Operação deve ser B, E ou S', element: 'operacao' });
    if (!Number.isFinite(qty) || qty < 0)
      fields.push({ code: 4, msg: 'Quantidade inválida', element: 'quantidade' });
    if (fields.length) {
      return blingError(400, 'VALIDATION_ERROR', 'Não foi possível salvar o lançamento', 'Dados inválidos', {
        fields,
      });
    }
    const levels = stock.get(productId) ?? new Map<number, number>();
    const current = levels.get(warehouseId) ?? 0;
    const next = b?.operacao === 'B' ? qty : b?.operacao === 'E' ? current + qty : current - qty;
    levels.set(warehouseId, next);
    stock.set(productId, levels);
    return json(201, { data: { id: nextId++ } });
  });

  const orderJson = (o: BlingOrderRecord) => ({
    id: o.id,
    numero: o.numero,
    numeroLoja: o.numeroLoja,
    data: o.data,
    total: o.total,
    totalProdutos: o.total,
    contato: o.contato,
    loja: o.loja,
    situacao: { id: 6, valor: 0 },
  });

  router.on('GET', '/pedidos/vendas', (req) => {
    const p = paging(req);
    if ('status' in p) return p;
    const range = dateRange(req, 'dataAlteracaoInicial', 'dataAlteracaoFinal');
    if ('status' in range) return range;
    const numbers = [...req.query.all('numerosLojas'), ...req.query.all('numeroLoja')];
    const store = req.query.get('idLoja');
    const list = orders
      .listVisible()
      .filter((o) => numbers.length === 0 || numbers.includes(o.numeroLoja))
      .filter((o) => store === undefined || String(o.loja.id) === store)
      .filter((o) => o.dataAlteracao >= range.from && o.dataAlteracao <= range.to)
      .sort((a, b) => b.id - a.id);
    return json(200, { data: list.slice((p.page - 1) * p.limit, p.page * p.limit).map(orderJson) });
  });

  router.on('GET', '/pedidos/vendas/:id', (req) => {
    const o = orders.get(req.params.id ?? '');
    if (!o) return blingError(404, 'RESOURCE_NOT_FOUND', 'Recurso não encontrado', 'Pedido não encontrado');
    return json(200, { data: { ...orderJson(o), itens: o.itens } });
  });

  router.on('POST', '/pedidos/vendas', (req) => {
    if (req.bodyError) return blingError(400, 'VALIDATION_ERROR', 'JSON inválido');
    const b = (req.body ?? {}) as {
      numeroLoja?: unknown;
      data?: unknown;
      contato?: { id?: unknown };
      loja?: { id?: unknown };
      itens?: { codigo?: unknown; produto?: { id?: unknown }; quantidade?: unknown; valor?: unknown }[];
    };
    const fields: { code: number; msg: string; element: string }[] = [];
    const contactId = Number(b.contato?.id);
    if (!Number.isInteger(contactId) || contactId <= 0)
      fields.push({ code: 10, msg: 'O contato deve ser informado', element: 'contato' });
    if (
      b.data !== undefined &&
      (typeof b.data !== 'string' || Number.isNaN(parseLocalDateTime(b.data, SAO_PAULO_OFFSET_MIN)))
    )
      fields.push({ code: 11, msg: 'Data inválida', element: 'data' });
    if (!Array.isArray(b.itens) || b.itens.length === 0)
      fields.push({ code: 12, msg: 'O pedido deve ter ao menos um item', element: 'itens' });
    const itens: BlingOrderRecord['itens'] = [];
    (Array.isArray(b.itens) ? b.itens : []).forEach((item, i) => {
      const code = typeof item.codigo === 'string' ? item.codigo : '';
      const productId = Number(item.produto?.id);
      const product = Number.isInteger(productId) ? products.get(String(productId)) : findBySku(code);
      const quantidade = Number(item.quantidade);
      const valor = Number(item.valor);
      if (!product) {
        fields.push({
          code: 13,
          msg: `Produto ${code || String(productId)} não encontrado`,
          element: `itens[${i}]`,
        });
      } else if (!(quantidade > 0) || !Number.isFinite(valor) || valor < 0) {
        fields.push({ code: 14, msg: 'Quantidade ou valor inválido', element: `itens[${i}]` });
      } else {
        itens.push({
          codigo: product.codigo,
          produto: { id: product.id },
          quantidade,
          valor,
          descricao: product.nome,
        });
      }
    });
    if (fields.length) {
      return blingError(400, 'VALIDATION_ERROR', 'Não foi possível salvar a venda', 'Dados inválidos', {
        fields,
      });
    }
    const order = createOrder({
      numeroLoja: typeof b.numeroLoja === 'string' ? b.numeroLoja : '',
      data:
        typeof b.data === 'string'
          ? b.data
          : formatLocalDateTime(clock.now(), SAO_PAULO_OFFSET_MIN).slice(0, 10),
      loja: { id: Number(b.loja?.id ?? 0) || 0 },
      contato: { id: contactId },
      itens,
    });
    return json(201, { data: { id: order.id, alertas: [] } });
  });

  // --- the request pipeline: IP block, token endpoint, auth, account limits, routes, error accounting

  async function handle(raw: EmulatorRequest): Promise<EmulatorResponse> {
    const req = strip(raw);
    const now = clock.now();
    if (blockedUntil > now) {
      return blingError(
        blockStatus,
        'FORBIDDEN',
        'IP bloqueado',
        'Muitas requisições com erro; tente mais tarde',
        {
          blockedUntil: new Date(blockedUntil).toISOString(),
        },
      );
    }
    if (calls.hit() > (options.requestBlockThreshold ?? 600)) blockedUntil = now + blockMs;
    const res = await route(req, now);
    if (res.status >= 400 && errors.hit() >= (options.errorBlockThreshold ?? 300)) {
      blockedUntil = now + blockMs;
    }
    return res;
  }

  async function route(req: EmulatorRequest, now: number): Promise<EmulatorResponse> {
    if (req.method === 'POST' && req.path === '/oauth/token') return tokenCall(req);

    const bearer = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''));
    const expires = bearer ? accessTokens.get(bearer[1] ?? '') : undefined;
    if (expires === undefined || expires <= now) {
      return blingError(
        401,
        'invalid_token',
        'invalid_token',
        'The access token provided is expired, revoked or invalid',
      );
    }

    const day = formatLocalDateTime(now, SAO_PAULO_OFFSET_MIN).slice(0, 10);
    if (dayWindow.day !== day) dayWindow = { day, count: 0 };
    if (dayWindow.count >= cfg.dailyQuota) {
      return blingError(
        429,
        'TOO_MANY_REQUESTS',
        'Limite de requisições atingido',
        'Limite diário de requisições atingido',
        {
          limit: cfg.dailyQuota,
          period: 'day',
        },
      );
    }
    const second = Math.floor(now / 1000);
    if (secondWindow.second !== second) secondWindow = { second, count: 0 };
    if (secondWindow.count >= cfg.perSecond) {
      return blingError(
        429,
        'TOO_MANY_REQUESTS',
        'Limite de requisições atingido',
        `Limite de ${cfg.perSecond} requisições por segundo atingido`,
        { limit: cfg.perSecond, period: 'second' },
      );
    }
    secondWindow.count++;
    dayWindow.count++;
    return (
      (await router.handle(req)) ??
      blingError(404, 'RESOURCE_NOT_FOUND', 'Recurso não encontrado', `${req.method} ${req.path}`)
    );
  }

  const emulator = await startEmulator({
    name: 'bling',
    clock,
    handle,
    reset: resetState,
    seed: applySeed,
    logHeaders: ['enable-jwt'],
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
  });

  return Object.assign(emulator, {
    seed: applySeed,
    issueTokens() {
      const t = issue(false);
      return { accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: new Date(t.expiresAt) };
    },
    issueAuthorizationCode() {
      const code = randomBytes(12).toString('hex');
      authCodes.set(code, clock.now() + 60_000);
      return code;
    },
    clientId,
    clientSecret,
    products: () => products.all(),
    orders: () => orders.all(),
    stockOf(sku: string) {
      const p = findBySku(sku);
      return Object.fromEntries(p ? (stock.get(p.id) ?? new Map<number, number>()) : []);
    },
  });
}
