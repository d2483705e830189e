/**
 * A local Nuvemshop API on the emulator kit. It speaks the wire protocol under `/{version}/{store_id}`:
 * - `User-Agent` is required (400 without it); `Authentication: bearer <token>` (or `Authorization: Bearer`)
 *   must match the store's token (401); an unpaid store answers 402; tokens never expire;
 * - a leaky bucket of 40 calls draining 2 per second per store, on the emulator clock, reported on every
 *   response in `X-Rate-Limit-Limit`, `-Remaining` and `-Reset` (ms until the bucket is empty), 429 when full;
 * - lists page with `page`/`per_page` (default 30, max 200, `page × per_page` ≤ 10 000), `X-Total-Count` and an
 *   RFC 5988 `Link` header; a page past the last answers 404 "Last page is N". Lists are ordered by
 *   `updated_at` then id, so a record written while a client pages moves to the end and the pages shift;
 * - lists, SKU searches and `updated_at_min` filters see writes only after the store's lag; reads by id at once;
 * - `PUT /products/{id}/variants` writes all the variants or none: a 422 lists each failing variant;
 * - errors are `{ code, message, description }`.
 */
import {
  createClock,
  createRouter,
  formatOffsetIso,
  json,
  startEmulator,
  type Emulator,
  type EmulatorClock,
  type EmulatorRequest,
  type EmulatorResponse,
} from '../kit.ts';
import { loadNuvemshopSeed, type NuvemshopSeed, type SeededStore } from './seed.ts';
import {
  BUCKET_SIZE,
  ORDER_STATUSES,
  PAYMENT_STATUSES,
  createNuvemshopState,
  type EmuOrder,
  type EmuProduct,
  type EmuStore,
  type EmuVariant,
  type NuvemshopState,
} from './state.ts';

/** São Paulo's offset: Nuvemshop stamps records in the store's time zone. */
const OFFSET_MINUTES = -180;
const DEFAULT_PER_PAGE = 30;
const MAX_PER_PAGE = 200;
const MAX_RESULT_WINDOW = 10_000;

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  404: 'Not Found',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
};

function error(status: number, description: unknown, extra: Record<string, unknown> = {}): EmulatorResponse {
  return json(status, { code: status, message: REASONS[status] ?? 'Error', description, ...extra });
}

const stamp = (ms: number) => formatOffsetIso(ms, OFFSET_MINUTES);

function variantJson(v: EmuVariant) {
  return {
    id: v.id,
    product_id: v.product_id,
    sku: v.sku,
    price: v.price,
    promotional_price: v.promotional_price,
    stock_management: v.stock_management,
    stock: v.stock,
    values: v.values,
    image_id: null,
    weight: '0.000',
    created_at: stamp(v.created_at),
    updated_at: stamp(v.updated_at),
  };
}

function productJson(p: EmuProduct) {
  return {
    id: p.id,
    name: p.name,
    handle: { pt: (p.name.pt ?? String(p.id)).toLowerCase().replace(/[^a-z0-9]+/g, '-') },
    published: p.published,
    variants: p.variants.map(variantJson),
    created_at: stamp(p.created_at),
    updated_at: stamp(p.updated_at),
  };
}

function orderJson(o: EmuOrder) {
  return {
    id: o.id,
    number: o.number,
    token: `tok${o.id}`,
    status: o.status,
    payment_status: o.payment_status,
    shipping_status: o.shipping_status,
    currency: o.currency,
    total: o.total,
    subtotal: o.total,
    products: o.products.map((l) => ({
      product_id: l.product_id,
      variant_id: l.variant_id,
      sku: l.sku,
      name: l.name,
      quantity: l.quantity,
      price: l.price,
    })),
    created_at: stamp(o.created_at),
    updated_at: stamp(o.updated_at),
  };
}

const PRICE = /^\d{1,10}(\.\d{1,2})?$/;

function parsePrice(value: unknown): { ok: true; value: string | null } | { ok: false; reason: string } {
  if (value === null) return { ok: true, value: null };
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0)
    return { ok: true, value: value.toFixed(2) };
  if (typeof value === 'string' && PRICE.test(value.trim()))
    return { ok: true, value: Number(value).toFixed(2) };
  return { ok: false, reason: 'price must be a non-negative decimal' };
}

/** Applies the writable variant fields of `body` to a copy of `v`; a reason when a field is invalid. */
function applyVariantFields(v: EmuVariant, body: Record<string, unknown>): EmuVariant | string {
  const next = { ...v };
  if ('price' in body) {
    const price = parsePrice(body.price);
    if (!price.ok) return price.reason;
    next.price = price.value;
  }
  if ('stock' in body) {
    const stock = body.stock;
    if (stock === null) {
      next.stock = null;
      next.stock_management = false;
    } else if (typeof stock === 'number' && Number.isInteger(stock) && stock >= 0) {
      next.stock = stock;
      next.stock_management = true;
    } else return 'stock must be a non-negative integer or null';
  }
  if ('stock_management' in body) {
    if (typeof body.stock_management !== 'boolean') return 'stock_management must be a boolean';
    next.stock_management = body.stock_management;
    if (!body.stock_management) next.stock = null;
    else next.stock ??= 0;
  }
  if ('sku' in body) {
    if (body.sku !== null && typeof body.sku !== 'string') return 'sku must be a string';
    next.sku = body.sku;
  }
  return next;
}

interface Paged<T> {
  items: T[];
  headers: Record<string, string>;
}

/** Page/per_page with totals and Link, or the platform's error. */
function paginate<T>(req: EmulatorRequest, all: T[]): Paged<T> | EmulatorResponse {
  const perPageRaw = req.query.get('per_page');
  const pageRaw = req.query.get('page');
  const perPage = perPageRaw === undefined ? DEFAULT_PER_PAGE : Number(perPageRaw);
  const page = pageRaw === undefined ? 1 : Number(pageRaw);
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > MAX_PER_PAGE) {
    return error(422, { per_page: [`must be an integer between 1 and ${MAX_PER_PAGE}`] });
  }
  if (!Number.isInteger(page) || page < 1) return error(422, { page: ['must be a positive integer'] });
  if (page * perPage > MAX_RESULT_WINDOW) {
    return error(
      400,
      `Query results are limited to ${MAX_RESULT_WINDOW} items: narrow the query (e.g. updated_at_min)`,
    );
  }
  const total = all.length;
  const last = Math.ceil(total / perPage);
  if (page > last) return error(404, `Last page is ${last}`);

  const host = req.headers.host ?? '127.0.0.1';
  const link = (p: number) => {
    const params = new URLSearchParams();
    for (const [k, values] of Object.entries(req.query.raw)) {
      if (k === 'page') continue;
      for (const v of values) params.append(k, v);
    }
    params.set('page', String(p));
    if (!params.has('per_page')) params.set('per_page', String(perPage));
    return `<http://${host}${req.path}?${params.toString()}>`;
  };
  const rels: string[] = [];
  if (page < last) rels.push(`${link(page + 1)}; rel="next"`);
  rels.push(`${link(last)}; rel="last"`);
  rels.push(`${link(1)}; rel="first"`);
  if (page > 1) rels.push(`${link(page - 1)}; rel="prev"`);
  return {
    items: all.slice((page - 1) * perPage, page * perPage),
    headers: { 'X-Total-Count': String(total), Link: rels.join(', ') },
  };
}

function parseTimeParam(req: EmulatorRequest, name: string): number | null | EmulatorResponse {
  const raw = req.query.get(name);
  if (raw === undefined || raw === '') return null;
  const ms = Date.parse(raw.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (Number.isNaN(ms)) return error(422, { [name]: ['must be a date in ISO 8601 format'] });
  // The platform compares whole seconds.
  return Math.floor(ms / 1000) * 1000;
}

const byUpdated = <T extends { updated_at: number; id: number }>(a: T, b: T) =>
  a.updated_at - b.updated_at || a.id - b.id;

function bearerToken(req: EmulatorRequest): string | null {
  for (const name of ['authentication', 'authorization']) {
    const value = req.headers[name];
    const text = Array.isArray(value) ? value[0] : value;
    const match = text ? /^bearer\s+(\S+)$/i.exec(text.trim()) : null;
    if (match?.[1]) return match[1];
  }
  return null;
}

function storeRoutes(state: NuvemshopState) {
  const router = createRouter();
  const storeOf = (req: EmulatorRequest) => state.store(req.params.store ?? '')!;
  const productOf = (req: EmulatorRequest): EmuProduct | undefined => {
    const p = storeOf(req).products.get(req.params.id ?? '');
    return p ? structuredClone(p) : undefined;
  };
  const base = '/:version/:store';

  router.on('GET', `${base}/store`, (req) => {
    const store = storeOf(req);
    return json(200, { id: Number(store.id), name: { pt: store.name }, country: 'BR', main_currency: 'BRL' });
  });

  router.on('GET', `${base}/products`, (req) => {
    const since = parseTimeParam(req, 'updated_at_min');
    if (since !== null && typeof since !== 'number') return since;
    const sinceId = req.query.get('since_id');
    const visible = storeOf(req)
      .products.listVisible()
      .filter((p) => since === null || p.updated_at >= since)
      .filter((p) => sinceId === undefined || p.id > Number(sinceId))
      .sort(byUpdated);
    const page = paginate(req, visible);
    if ('status' in page) return page;
    return json(200, page.items.map(productJson), page.headers);
  });

  router.on('GET', `${base}/products/sku/:sku`, (req) => {
    const sku = req.params.sku ?? '';
    const match = storeOf(req)
      .products.listVisible()
      .filter((p) => p.variants.some((v) => v.sku === sku))
      .sort((a, b) => a.id - b.id)[0];
    return match ? json(200, productJson(match)) : error(404, `No product with SKU ${sku}`);
  });

  router.on('GET', `${base}/products/:id`, (req) => {
    const p = productOf(req);
    return p ? json(200, productJson(p)) : error(404, 'Product not found');
  });

  router.on('POST', `${base}/products`, (req) => {
    const body = req.body as Record<string, unknown> | undefined;
    if (req.bodyError || !body || typeof body !== 'object') return error(400, 'Invalid JSON body');
    const name = typeof body.name === 'string' ? { pt: body.name } : body.name;
    if (
      !name ||
      typeof name !== 'object' ||
      Object.values(name).some((v) => typeof v !== 'string' || v.trim() === '')
    ) {
      return error(422, { name: ['is required'] });
    }
    const rawVariants = Array.isArray(body.variants) && body.variants.length > 0 ? body.variants : [{}];
    const now = Math.floor(state.clock.now() / 1000) * 1000;
    const id = state.nextId();
    const variants: EmuVariant[] = [];
    for (const [i, raw] of rawVariants.entries()) {
      if (!raw || typeof raw !== 'object')
        return error(422, { variants: [`variant ${i} must be an object`] });
      const blank: EmuVariant = {
        id: state.nextId(),
        product_id: id,
        sku: null,
        price: '0.00',
        promotional_price: null,
        stock: null,
        stock_management: false,
        values: [],
        created_at: now,
        updated_at: now,
      };
      const applied = applyVariantFields(blank, raw as Record<string, unknown>);
      if (typeof applied === 'string') return error(422, { variants: [`variant ${i}: ${applied}`] });
      variants.push(applied);
    }
    const product: EmuProduct = {
      id,
      name: name as Record<string, string>,
      published: body.published !== false,
      variants,
      created_at: now,
      updated_at: now,
    };
    return json(201, productJson(state.saveProduct(storeOf(req), product)));
  });

  router.on('PUT', `${base}/products/:id`, (req) => {
    const p = productOf(req);
    if (!p) return error(404, 'Product not found');
    const body = req.body as Record<string, unknown> | undefined;
    if (req.bodyError || !body || typeof body !== 'object' || Array.isArray(body))
      return error(400, 'Invalid JSON body');
    if ('name' in body) {
      const name = typeof body.name === 'string' ? { pt: body.name } : body.name;
      if (
        !name ||
        typeof name !== 'object' ||
        Object.values(name).some((v) => typeof v !== 'string' || v.trim() === '')
      ) {
        return error(422, { name: ['must be a non-empty string per language'] });
      }
      p.name = { ...p.name, ...(name as Record<string, string>) };
    }
    if ('published' in body) p.published = body.published === true;
    return json(200, productJson(state.saveProduct(storeOf(req), p)));
  });

  router.on('GET', `${base}/products/:id/variants`, (req) => {
    const p = productOf(req);
    return p ? json(200, p.variants.map(variantJson)) : error(404, 'Product not found');
  });

  router.on('GET', `${base}/products/:id/variants/:vid`, (req) => {
    const v = productOf(req)?.variants.find((x) => String(x.id) === req.params.vid);
    return v ? json(200, variantJson(v)) : error(404, 'Variant not found');
  });

  router.on('PUT', `${base}/products/:id/variants/:vid`, (req) => {
    const p = productOf(req);
    const index = p?.variants.findIndex((x) => String(x.id) === req.params.vid) ?? -1;
    if (!p || index < 0) return error(404, 'Variant not found');
    const body = req.body as Record<string, unknown> | undefined;
    if (req.bodyError || !body || typeof body !== 'object' || Array.isArray(body))
      return error(400, 'Invalid JSON body');
    const applied = applyVariantFields(p.variants[index]!, body);
    if (typeof applied === 'string') return error(422, applied);
    const now = Math.floor(state.clock.now() / 1000) * 1000;
    p.variants[index] = { ...applied, updated_at: now };
    const saved = state.saveProduct(storeOf(req), p);
    return json(200, variantJson(saved.variants[index]!));
  });

  router.on('PUT', `${base}/products/:id/variants`, (req) => {
    const p = productOf(req);
    if (!p) return error(404, 'Product not found');
    if (req.bodyError || !Array.isArray(req.body)) return error(400, 'The body must be an array of variants');
    const failed: { id: unknown; description: string }[] = [];
    const now = Math.floor(state.clock.now() / 1000) * 1000;
    const seen = new Set<number>();
    for (const raw of req.body as unknown[]) {
      const item = raw as Record<string, unknown> | null;
      const id = item && typeof item === 'object' ? item.id : undefined;
      const index = p.variants.findIndex((x) => x.id === Number(id));
      if (index < 0) {
        failed.push({ id: id ?? null, description: 'Variant not found in this product' });
        continue;
      }
      if (seen.has(Number(id))) {
        failed.push({ id, description: 'Variant repeated in the request' });
        continue;
      }
      seen.add(Number(id));
      const applied = applyVariantFields(p.variants[index]!, item!);
      if (typeof applied === 'string') failed.push({ id, description: applied });
      else p.variants[index] = { ...applied, updated_at: now };
    }
    if (failed.length > 0) {
      return error(422, 'Some variants could not be updated; none was', { failed_variants: failed });
    }
    const saved = state.saveProduct(storeOf(req), p);
    return json(200, saved.variants.map(variantJson));
  });

  router.on('GET', `${base}/orders`, (req) => {
    const since = parseTimeParam(req, 'updated_at_min');
    if (since !== null && typeof since !== 'number') return since;
    const status = req.query.get('status') ?? 'any';
    if (status !== 'any' && !(ORDER_STATUSES as readonly string[]).includes(status)) {
      return error(422, { status: [`must be any, ${ORDER_STATUSES.join(', ')}`] });
    }
    const paymentStatus = req.query.get('payment_status') ?? 'any';
    if (paymentStatus !== 'any' && !(PAYMENT_STATUSES as readonly string[]).includes(paymentStatus)) {
      return error(422, { payment_status: [`must be any, ${PAYMENT_STATUSES.join(', ')}`] });
    }
    const visible = storeOf(req)
      .orders.listVisible()
      .filter((o) => since === null || o.updated_at >= since)
      .filter((o) => status === 'any' || o.status === status)
      .filter((o) => paymentStatus === 'any' || o.payment_status === paymentStatus)
      .sort(byUpdated);
    const page = paginate(req, visible);
    if ('status' in page) return page;
    return json(200, page.items.map(orderJson), page.headers);
  });

  router.on('GET', `${base}/orders/:id`, (req) => {
    const o = storeOf(req).orders.get(req.params.id ?? '');
    return o ? json(200, orderJson(o)) : error(404, 'Order not found');
  });

  return router;
}

function rateHeaders(store: EmuStore): Record<string, string> {
  const s = store.bucket.state();
  return {
    'X-Rate-Limit-Limit': String(BUCKET_SIZE),
    'X-Rate-Limit-Remaining': String(s.remaining),
    'X-Rate-Limit-Reset': String(s.msUntilFull),
  };
}

export interface NuvemshopEmulatorOptions {
  clock?: EmulatorClock;
  port?: number;
  /** Stores to create at start (same JSON as `POST /__admin/seed`). */
  seed?: NuvemshopSeed;
}

export interface NuvemshopEmulator extends Emulator {
  state: NuvemshopState;
  /** Same as `POST /__admin/seed`: adds stores, products and orders; returns the ids created. */
  seed(input: NuvemshopSeed): SeededStore[];
  /** The API root of a store, as a connector's `baseUrl` (without the store id). */
  baseUrl(version?: string): string;
  /**
   * Rewrites an order now (a live write: stamped with the clock, listed after the lag). `extraLagMs` delays this
   * version's listing further: search indexes catch up unevenly, so a later write may be listed before it.
   */
  updateOrder(
    storeId: string,
    orderId: number,
    patch: Partial<Pick<EmuOrder, 'status' | 'payment_status' | 'shipping_status'>>,
    options?: { extraLagMs?: number },
  ): EmuOrder;
  /** The latest version of a product (what a read by id sees). */
  product(storeId: string, productId: number): EmuProduct | undefined;
  /** Marks a store unpaid (402) or paid again. */
  setUnpaid(storeId: string, unpaid: boolean): void;
  /** How long lists lag behind writes in a store. */
  setLag(storeId: string, lagMs: number): void;
}

export async function startNuvemshopEmulator(
  options: NuvemshopEmulatorOptions = {},
): Promise<NuvemshopEmulator> {
  const clock = options.clock ?? createClock();
  const state = createNuvemshopState(clock);
  const routes = storeRoutes(state);

  const handle = async (req: EmulatorRequest): Promise<EmulatorResponse | undefined> => {
    const match = /^\/([^/]+)\/(\d+)(\/.*)?$/.exec(req.path);
    if (!match) return error(404, 'Not found');
    const store = state.store(match[2]!);
    const withRate = (r: EmulatorResponse): EmulatorResponse =>
      store ? { ...r, headers: { ...(r.headers ?? {}), ...rateHeaders(store) } } : r;

    const userAgent = req.headers['user-agent'];
    if (typeof userAgent !== 'string' || userAgent.trim() === '') {
      return withRate(error(400, 'The User-Agent header is required: "App name (contact email)"'));
    }
    if (!store) return error(401, 'Invalid access token');
    if (!store.bucket.take().ok)
      return withRate(error(429, 'Rate limit exceeded: the bucket of 40 calls is full'));
    if (bearerToken(req) !== store.token) return withRate(error(401, 'Invalid access token'));
    if (store.unpaid) return withRate(error(402, 'The store has a pending payment'));
    const response = (await routes.handle(req)) ?? error(404, `No route ${req.method} ${match[3] ?? '/'}`);
    return withRate(response);
  };

  const emulator = await startEmulator({
    name: 'nuvemshop',
    clock,
    handle,
    reset: () => state.clear(),
    seed: (body) => loadNuvemshopSeed(state, body),
    ...(options.port !== undefined ? { port: options.port } : {}),
  });
  if (options.seed) loadNuvemshopSeed(state, options.seed);

  const requireStore = (id: string) => {
    const store = state.store(id);
    if (!store) throw new Error(`no Nuvemshop store ${id}`);
    return store;
  };

  return {
    ...emulator,
    state,
    seed: (input) => loadNuvemshopSeed(state, input),
    baseUrl: (version = '2025-03') => `${emulator.url}/${version}`,
    updateOrder(storeId, orderId, patch, opts: { extraLagMs?: number } = {}) {
      const store = requireStore(storeId);
      const order = store.orders.get(String(orderId));
      if (!order) throw new Error(`no order ${orderId} in store ${storeId}`);
      const visibleFrom = opts.extraLagMs ? clock.now() + opts.extraLagMs : undefined;
      return state.saveOrder(store, { ...structuredClone(order), ...patch }, false, visibleFrom);
    },
    product: (storeId, productId) => {
      const p = requireStore(storeId).products.get(String(productId));
      return p ? structuredClone(p) : undefined;
    },
    setUnpaid(storeId, unpaid) {
      requireStore(storeId).unpaid = unpaid;
    },
    setLag(storeId, lagMs) {
      const store = requireStore(storeId);
      store.products.setLag(lagMs);
      store.orders.setLag(lagMs);
    },
  };
}
