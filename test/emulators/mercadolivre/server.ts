/**
 * Mercado Livre API emulator on the shared kit: OAuth refresh with single-use refresh tokens, Bearer auth,
 * seller item search (offset cap, scan + scroll_id) lagging behind writes, multiget, item create/update
 * (price, stock, variations), orders search by date_last_updated with 1-s ties and pages that shift, and a
 * per-seller rate limit answering 429 — all on the emulator clock.
 */
import { randomBytes } from 'node:crypto';
import {
  createClock,
  createRouter,
  createTokenBucket,
  json,
  startEmulator,
  type Emulator,
  type EmulatorClock,
  type EmulatorRequest,
  type EmulatorResponse,
  type TokenBucket,
} from '../kit.ts';
import { loadMlSeed, type MlSeed, type MlSeedResult } from './seed.ts';
import {
  MlState,
  renderItem,
  renderOrder,
  type IssuedTokens,
  type MlClient,
  type MlItemRecord,
  type MlOrderRecord,
  type MlVariationRecord,
  type RefreshLogEntry,
} from './state.ts';

export interface MlRateLimit {
  /** Calls a seller may make in a burst. */
  capacity: number;
  /** Sustained calls per second (on the emulator clock). */
  refillPerSecond: number;
}

export interface MercadoLivreEmulatorOptions {
  /** The seller that exists from the start. */
  sellerId?: number;
  clients?: MlClient[];
  /** Access token lifetime; 6 h like the platform unless a test wants it short. */
  accessTokenTtlMs?: number;
  /** How long a new or changed item takes to show up in items/search. */
  searchLagMs?: number;
  /** How long an order change takes to show up in orders/search. */
  ordersLagMs?: number;
  /** Per-seller rate limit; none when absent. */
  rateLimit?: MlRateLimit | null;
  /** offset + limit cap of items/search without scan. */
  maxSearchOffset?: number;
  /** offset cap of orders/search. */
  maxOrdersOffset?: number;
  clock?: EmulatorClock;
  port?: number;
  seed?: MlSeed;
}

export interface MercadoLivreEmulator extends Emulator {
  sellerId: number;
  /** The app registered from the start (client_id / client_secret). */
  client: MlClient;
  state: MlState;
  /** Tokens as if the seller had just authorised the app (authorization_code grant). */
  issueTokens(sellerId?: number): IssuedTokens;
  /** Every refresh_token grant, in arrival order. */
  refreshLog(): RefreshLogEntry[];
  seed(data: MlSeed): MlSeedResult;
  setRateLimit(limit: MlRateLimit | null): void;
  setAccessTokenTtl(ms: number): void;
  setSearchLag(ms: number): void;
  /** Changes an order now (its date_last_updated moves to the current second). */
  updateOrder(id: number, change: { status?: string; tags?: string[] }): MlOrderRecord;
}

export const ML_DEFAULT_SELLER_ID = 123_456_789;
export const ML_DEFAULT_CLIENT: MlClient = { clientId: '5550001112223334', clientSecret: 'emu-secret' };
const ITEMS_SEARCH_MAX_LIMIT = 100;
const ORDERS_SEARCH_MAX_LIMIT = 51;
const MULTIGET_MAX_IDS = 20;
const SCROLL_TTL_MS = 5 * 60_000;

function mlError(status: number, error: string, message: string, cause: unknown[] = []): EmulatorResponse {
  return json(status, { message, error, status, cause });
}

function intParam(req: EmulatorRequest, name: string, fallback: number): number | null {
  const raw = req.query.get(name);
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) return null;
  return Number(raw);
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function skuFromAttributes(attributes: unknown): string | null {
  if (!Array.isArray(attributes)) return null;
  for (const a of attributes) {
    if (isRecord(a) && a.id === 'SELLER_SKU' && typeof a.value_name === 'string') return a.value_name;
  }
  return null;
}

const isQuantity = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isPrice = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

export async function startMercadoLivreEmulator(
  options: MercadoLivreEmulatorOptions = {},
): Promise<MercadoLivreEmulator> {
  const clock = options.clock ?? createClock();
  const sellerId = options.sellerId ?? ML_DEFAULT_SELLER_ID;
  const clients = options.clients ?? [ML_DEFAULT_CLIENT];
  const state = new MlState({
    clock,
    clients,
    accessTokenTtlMs: options.accessTokenTtlMs ?? 6 * 3600_000,
    searchLagMs: options.searchLagMs ?? 0,
    ordersLagMs: options.ordersLagMs ?? 0,
  });
  state.ensureSeller(sellerId);
  let rateLimit = options.rateLimit ?? null;
  const buckets = new Map<number, TokenBucket>();
  const maxSearchOffset = options.maxSearchOffset ?? 1000;
  const maxOrdersOffset = options.maxOrdersOffset ?? 10_000;

  const router = createRouter();

  // ---------------------------------------------------------------------------------------------------------
  // OAuth

  router.on('POST', '/oauth/token', (req) => {
    if (req.bodyError || !isRecord(req.body)) {
      return json(400, { error: 'invalid_request', error_description: 'form body expected', status: 400 });
    }
    const b = req.body;
    const str = (k: string): string | undefined => {
      const v = b[k];
      return typeof v === 'string' ? v : undefined;
    };
    const grant = str('grant_type');
    if (grant !== 'refresh_token') {
      return json(400, {
        error: 'unsupported_grant_type',
        error_description: `grant_type ${grant ?? '(missing)'} is not supported here`,
        status: 400,
        cause: [],
      });
    }
    const clientId = str('client_id');
    const clientSecret = str('client_secret');
    const refreshToken = str('refresh_token');
    if (!clientId || !clientSecret || !refreshToken) {
      return json(400, {
        error: 'invalid_request',
        error_description: 'client_id, client_secret and refresh_token are required',
        status: 400,
        cause: [],
      });
    }
    const result = state.refresh(clientId, clientSecret, refreshToken);
    if (!result.ok) {
      return result.error === 'invalid_client'
        ? json(400, {
            error: 'invalid_client',
            error_description: 'invalid client_id or client_secret',
            status: 400,
            cause: [],
          })
        : json(400, {
            error: 'invalid_grant',
            error_description:
              'Error validating grant. Your authorization code or refresh token may be expired or it was already used',
            status: 400,
            cause: [],
          });
    }
    const t = result.tokens;
    return json(200, {
      access_token: t.accessToken,
      token_type: 'Bearer',
      expires_in: Math.round((t.expiresAt.getTime() - clock.now()) / 1000),
      scope: 'offline_access read write',
      user_id: t.sellerId,
      refresh_token: t.refreshToken,
    });
  });

  // ---------------------------------------------------------------------------------------------------------
  // Authenticated resources

  type AuthedHandler = (req: EmulatorRequest, caller: number) => EmulatorResponse;
  const authed =
    (fn: AuthedHandler) =>
    (req: EmulatorRequest): EmulatorResponse => {
      const header = req.headers.authorization;
      const token = typeof header === 'string' ? /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim() : undefined;
      const auth = state.authenticate(token);
      if (!auth.ok) {
        return auth.reason === 'expired'
          ? mlError(401, 'unauthorized', 'expired_token')
          : mlError(401, 'unauthorized', 'invalid access token');
      }
      if (rateLimit) {
        let bucket = buckets.get(auth.sellerId);
        if (!bucket) {
          bucket = createTokenBucket({ clock, ...rateLimit });
          buckets.set(auth.sellerId, bucket);
        }
        if (!bucket.take().ok) return mlError(429, 'too_many_requests', 'too_many_requests');
      }
      return fn(req, auth.sellerId);
    };

  const userBody = (id: number) => {
    const seller = state.sellers.get(id);
    return seller
      ? { id: seller.id, nickname: seller.nickname, site_id: 'MLB', country_id: 'BR' }
      : undefined;
  };

  router.on(
    'GET',
    '/users/me',
    authed((_req, caller) => json(200, userBody(caller))),
  );

  router.on(
    'GET',
    '/users/:id',
    authed((req) => {
      const body = userBody(Number(req.params.id));
      return body ? json(200, body) : mlError(404, 'not_found', `User not found: ${req.params.id}`);
    }),
  );

  router.on(
    'GET',
    '/users/:id/items/search',
    authed((req, caller) => {
      const seller = Number(req.params.id);
      if (seller !== caller) return mlError(403, 'forbidden', 'caller.id does not match user_id');
      const limit = intParam(req, 'limit', 50);
      const offset = intParam(req, 'offset', 0);
      if (limit === null || offset === null) return mlError(400, 'bad_request', 'Invalid limit or offset');
      if (limit > ITEMS_SEARCH_MAX_LIMIT) {
        return mlError(400, 'bad_request', `Limit must be a lower or equal than ${ITEMS_SEARCH_MAX_LIMIT}`);
      }
      const scrollId = req.query.get('scroll_id');
      const scan = req.query.get('search_type') === 'scan';
      if (scrollId !== undefined) {
        const scroll = state.scrolls.get(scrollId);
        if (!scroll || scroll.expiresAtMs <= clock.now()) {
          return mlError(400, 'bad_request', 'Invalid or expired scroll_id');
        }
        const ids = scroll.ids.slice(scroll.pos, scroll.pos + limit);
        scroll.pos += ids.length;
        scroll.expiresAtMs = clock.now() + SCROLL_TTL_MS;
        return json(200, {
          seller_id: String(seller),
          scroll_id: scrollId,
          results: ids,
          paging: { total: scroll.ids.length, limit },
        });
      }
      const filter: { sellerSku?: string; status?: string } = {};
      const sku = req.query.get('seller_sku');
      if (sku !== undefined) filter.sellerSku = sku;
      const status = req.query.get('status');
      if (status !== undefined) filter.status = status;
      const all = state.searchItems(seller, filter);
      if (scan) {
        const id = `scroll-${randomBytes(8).toString('hex')}`;
        const ids = all.slice(0, limit);
        state.scrolls.set(id, { ids: all, pos: ids.length, expiresAtMs: clock.now() + SCROLL_TTL_MS });
        return json(200, {
          seller_id: String(seller),
          scroll_id: id,
          results: ids,
          paging: { total: all.length, limit },
        });
      }
      if (offset + limit > maxSearchOffset) {
        return mlError(
          400,
          'bad_request',
          `offset + limit must be lower or equal than ${maxSearchOffset}; use search_type=scan`,
        );
      }
      return json(200, {
        seller_id: String(seller),
        query: null,
        paging: { limit, offset, total: all.length },
        results: all.slice(offset, offset + limit),
        orders: [{ id: 'stop_time_asc', name: 'Order by stop time ascending' }],
        available_orders: [],
      });
    }),
  );

  const projected = (body: Record<string, unknown>, attributes: string[] | null) =>
    attributes ? Object.fromEntries(attributes.filter((a) => a in body).map((a) => [a, body[a]])) : body;

  router.on(
    'GET',
    '/items',
    authed((req) => {
      const raw = req.query.get('ids');
      if (!raw) return mlError(400, 'bad_request', 'ids is required');
      const ids = raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (ids.length > MULTIGET_MAX_IDS) {
        return mlError(400, 'bad_request', `You can only request a maximum of ${MULTIGET_MAX_IDS} ids`);
      }
      const attrs = req.query.get('attributes');
      const attributes = attrs ? attrs.split(',').map((s) => s.trim()) : null;
      return json(
        200,
        ids.map((id) => {
          const item = state.getItem(id);
          return item
            ? { code: 200, body: projected(renderItem(item), attributes) }
            : {
                code: 404,
                body: { message: `Item with id ${id} not found`, error: 'not_found', status: 404, cause: [] },
              };
        }),
      );
    }),
  );

  router.on(
    'GET',
    '/items/:id',
    authed((req) => {
      const item = state.getItem(req.params.id ?? '');
      return item
        ? json(200, renderItem(item))
        : mlError(404, 'not_found', `Item with id ${req.params.id} not found`);
    }),
  );

  router.on(
    'POST',
    '/items',
    authed((req, caller) => {
      if (req.bodyError || !isRecord(req.body)) return mlError(400, 'bad_request', 'JSON body expected');
      const b = req.body;
      const cause: { code: string; message: string; type: 'error' }[] = [];
      const bad = (code: string, message: string) => cause.push({ code, message, type: 'error' });
      if (typeof b.title !== 'string' || b.title.trim() === '' || b.title.length > 60) {
        bad('item.title.invalid', 'title is required and at most 60 characters');
      }
      if (typeof b.category_id !== 'string' || !/^MLB\d+$/.test(b.category_id)) {
        bad('item.category_id.invalid', 'category_id is required');
      }
      if (b.currency_id !== 'BRL') bad('item.currency_id.invalid', 'currency_id must be BRL');
      if (typeof b.listing_type_id !== 'string')
        bad('item.listing_type_id.invalid', 'listing_type_id is required');
      if (b.condition !== 'new' && b.condition !== 'used')
        bad('item.condition.invalid', 'condition is new or used');
      const variationsIn = b.variations === undefined ? [] : b.variations;
      if (!Array.isArray(variationsIn)) bad('item.variations.invalid', 'variations must be an array');
      const variations: MlVariationRecord[] = [];
      if (Array.isArray(variationsIn)) {
        for (const v of variationsIn) {
          if (!isRecord(v) || !isPrice(v.price) || !isQuantity(v.available_quantity)) {
            bad('item.variations.invalid', 'each variation needs price and available_quantity');
            continue;
          }
          variations.push({
            id: state.newVariationId(),
            price: v.price,
            availableQuantity: v.available_quantity,
            soldQuantity: 0,
            sku: skuFromAttributes(v.attributes),
            combinations: Array.isArray(v.attribute_combinations)
              ? (v.attribute_combinations as MlVariationRecord['combinations'])
              : [],
          });
        }
      }
      if (variations.length === 0) {
        if (!isPrice(b.price)) bad('item.price.invalid', 'price must be a positive number');
        if (!isQuantity(b.available_quantity)) {
          bad('item.available_quantity.invalid', 'available_quantity must be a non-negative integer');
        }
      }
      if (cause.length > 0) return mlError(400, 'validation_error', 'Validation error', cause);
      const now = clock.now();
      const record: MlItemRecord = {
        id: state.newItemId(),
        sellerId: caller,
        title: (b.title as string).trim(),
        categoryId: b.category_id as string,
        price: variations.length > 0 ? 0 : (b.price as number),
        currencyId: 'BRL',
        availableQuantity: variations.length > 0 ? 0 : (b.available_quantity as number),
        soldQuantity: 0,
        listingTypeId: b.listing_type_id as string,
        condition: b.condition as string,
        buyingMode: typeof b.buying_mode === 'string' ? b.buying_mode : 'buy_it_now',
        status: 'active',
        sku: skuFromAttributes(b.attributes),
        variations,
        createdMs: now,
        updatedMs: now,
      };
      return json(201, renderItem(state.putItem(record)));
    }),
  );

  router.on(
    'PUT',
    '/items/:id',
    authed((req, caller) => {
      const item = state.getItem(req.params.id ?? '');
      if (!item) return mlError(404, 'not_found', `Item with id ${req.params.id} not found`);
      if (item.sellerId !== caller) return mlError(403, 'forbidden', 'caller.id does not match item seller');
      if (req.bodyError || !isRecord(req.body)) return mlError(400, 'bad_request', 'JSON body expected');
      if (item.status === 'closed') {
        return mlError(400, 'validation_error', 'Item in status closed can not be modified', [
          { code: 'item.status.invalid', message: 'closed', type: 'error' },
        ]);
      }
      const b = req.body;
      const cause: { code: string; message: string; type: 'error' }[] = [];
      const bad = (code: string, message: string) => cause.push({ code, message, type: 'error' });
      const hasVariations = item.variations.length > 0;
      if (b.title !== undefined) {
        if (typeof b.title !== 'string' || b.title.trim() === '' || b.title.length > 60) {
          bad('item.title.invalid', 'title must have 1 to 60 characters');
        } else item.title = b.title.trim();
      }
      if (b.price !== undefined) {
        if (hasVariations)
          bad('item.price.invalid', 'the price of an item with variations is set per variation');
        else if (!isPrice(b.price)) bad('item.price.invalid', 'price must be a positive number');
        else item.price = b.price;
      }
      if (b.available_quantity !== undefined) {
        if (hasVariations) {
          bad(
            'item.available_quantity.invalid',
            'the quantity of an item with variations is set per variation',
          );
        } else if (!isQuantity(b.available_quantity)) {
          bad('item.available_quantity.invalid', 'available_quantity must be a non-negative integer');
        } else item.availableQuantity = b.available_quantity;
      }
      if (b.variations !== undefined) {
        if (!Array.isArray(b.variations)) bad('item.variations.invalid', 'variations must be an array');
        else {
          for (const v of b.variations as unknown[]) {
            const target = isRecord(v) ? item.variations.find((x) => x.id === v.id) : undefined;
            if (!isRecord(v) || !target) {
              bad('item.variations.id.invalid', `unknown variation ${isRecord(v) ? String(v.id) : '?'}`);
              continue;
            }
            if (v.available_quantity !== undefined) {
              if (!isQuantity(v.available_quantity)) {
                bad('item.variations.available_quantity.invalid', 'must be a non-negative integer');
              } else target.availableQuantity = v.available_quantity;
            }
            if (v.price !== undefined) {
              if (!isPrice(v.price)) bad('item.variations.price.invalid', 'must be a positive number');
              else target.price = v.price;
            }
          }
        }
      }
      if (b.status !== undefined) {
        if (b.status === 'active' || b.status === 'paused' || b.status === 'closed') item.status = b.status;
        else bad('item.status.invalid', 'status is active, paused or closed');
      }
      // A request with any invalid field changes nothing.
      if (cause.length > 0) return mlError(400, 'validation_error', 'Validation error', cause);
      item.updatedMs = clock.now();
      return json(200, renderItem(state.putItem(item)));
    }),
  );

  router.on(
    'GET',
    '/orders/search',
    authed((req, caller) => {
      const seller = req.query.get('seller');
      if (!seller) return mlError(400, 'bad_request', 'Missing required parameter seller');
      if (Number(seller) !== caller) return mlError(403, 'forbidden', 'caller.id does not match seller');
      const limit = intParam(req, 'limit', ORDERS_SEARCH_MAX_LIMIT);
      const offset = intParam(req, 'offset', 0);
      if (limit === null || offset === null) return mlError(400, 'bad_request', 'Invalid limit or offset');
      if (limit > ORDERS_SEARCH_MAX_LIMIT) {
        return mlError(400, 'bad_request', `Limit must be a lower or equal than ${ORDERS_SEARCH_MAX_LIMIT}`);
      }
      if (offset > maxOrdersOffset) {
        return mlError(400, 'bad_request', `Offset must be a lower or equal than ${maxOrdersOffset}`);
      }
      const sort = req.query.get('sort') ?? 'date_asc';
      if (sort !== 'date_asc' && sort !== 'date_desc') {
        return mlError(400, 'bad_request', `Invalid sort ${sort}`);
      }
      const parseDate = (name: string): number | undefined | null => {
        const raw = req.query.get(name);
        if (raw === undefined) return undefined;
        // Dates carry their offset; a bare local time would be ambiguous.
        if (!/(Z|[+-]\d\d:?\d\d)$/.test(raw)) return null;
        const ms = Date.parse(raw);
        return Number.isNaN(ms) ? null : ms;
      };
      const fromMs = parseDate('order.date_last_updated.from');
      const toMs = parseDate('order.date_last_updated.to');
      if (fromMs === null || toMs === null) {
        return mlError(400, 'bad_request', 'order.date_last_updated.from/to must be ISO-8601 with an offset');
      }
      const filter: Parameters<MlState['searchOrders']>[0] = { sellerId: caller, sort };
      if (fromMs !== undefined) filter.fromMs = fromMs;
      if (toMs !== undefined) filter.toMs = toMs;
      const status = req.query.get('order.status');
      if (status !== undefined) filter.status = status;
      const all = state.searchOrders(filter);
      return json(200, {
        query: null,
        results: all.slice(offset, offset + limit).map(renderOrder),
        sort: { id: sort, name: sort === 'date_asc' ? 'Date ascending' : 'Date descending' },
        available_sorts: [],
        filters: [],
        paging: { total: all.length, offset, limit },
        display: 'complete',
      });
    }),
  );

  router.on(
    'GET',
    '/orders/:id',
    authed((req, caller) => {
      const order = state.getOrder(Number(req.params.id));
      if (!order || order.sellerId !== caller) {
        return mlError(404, 'not_found', `Order ${req.params.id} not found`);
      }
      return json(200, renderOrder(order));
    }),
  );

  const emulator = await startEmulator({
    name: 'mercadolivre',
    clock,
    handle: router.handle,
    reset: () => {
      state.clear();
      state.ensureSeller(sellerId);
      buckets.clear();
    },
    seed: (body) => loadMlSeed(state, sellerId, body),
    ...(options.port !== undefined ? { port: options.port } : {}),
  });
  if (options.seed) loadMlSeed(state, sellerId, options.seed);

  return Object.assign(emulator, {
    sellerId,
    client: clients[0] ?? ML_DEFAULT_CLIENT,
    state,
    issueTokens: (id?: number) => state.issueTokens(id ?? sellerId),
    refreshLog: () => [...state.refreshLog],
    seed: (data: MlSeed) => loadMlSeed(state, sellerId, data),
    setRateLimit(limit: MlRateLimit | null) {
      rateLimit = limit;
      buckets.clear();
    },
    setAccessTokenTtl(ms: number) {
      state.accessTokenTtlMs = ms;
    },
    setSearchLag(ms: number) {
      state.items.setLag(ms);
    },
    updateOrder: (id: number, change: { status?: string; tags?: string[] }) => state.updateOrder(id, change),
  });
}
