/**
 * Mercado Livre emulator state: sellers, OAuth tokens (single-use refresh tokens with a log of every refresh),
 * items with variations and SELLER_SKU attributes, and orders. Everything time-dependent reads the emulator
 * clock. The search index of items and orders lags behind writes (reads by id do not), like the real platform.
 */
import { randomBytes } from 'node:crypto';
import {
  createLaggedStore,
  formatOffsetIso,
  toSecond,
  type EmulatorClock,
  type LaggedStore,
} from '../kit.ts';

/** Mercado Livre writes its dates in −04:00 (e.g. `2015-07-08T10:56:53.000-04:00`). */
export const ML_UTC_OFFSET_MINUTES = -240;

export function formatMlDate(ms: number): string {
  return formatOffsetIso(ms, ML_UTC_OFFSET_MINUTES).replace(/([+-]\d\d:\d\d)$/, '.000$1');
}

export interface MlAttribute {
  id: string;
  name: string;
  value_id: string | null;
  value_name: string | null;
}

export interface MlVariationRecord {
  id: number;
  price: number;
  availableQuantity: number;
  soldQuantity: number;
  sku: string | null;
  /** e.g. [{id:'COLOR', name:'Cor', value_name:'Azul'}] */
  combinations: MlAttribute[];
}

export interface MlItemRecord {
  id: string;
  sellerId: number;
  title: string;
  categoryId: string;
  price: number;
  currencyId: string;
  availableQuantity: number;
  soldQuantity: number;
  listingTypeId: string;
  condition: string;
  buyingMode: string;
  status: 'active' | 'paused' | 'closed';
  /** Item-level SELLER_SKU attribute (items without variations). */
  sku: string | null;
  variations: MlVariationRecord[];
  createdMs: number;
  updatedMs: number;
}

export interface MlOrderLineRecord {
  itemId: string;
  title: string;
  variationId: number | null;
  sellerSku: string | null;
  quantity: number;
  unitPrice: number;
}

export interface MlOrderRecord {
  id: number;
  sellerId: number;
  status: string;
  statusDetail: string | null;
  packId: number | null;
  lines: MlOrderLineRecord[];
  buyerId: number;
  tags: string[];
  createdMs: number;
  /** 1-second resolution: many orders tie. */
  updatedMs: number;
}

export interface MlClient {
  clientId: string;
  clientSecret: string;
}

export interface RefreshLogEntry {
  /** Emulator clock when the call arrived. */
  atMs: number;
  clientId: string;
  refreshToken: string;
  outcome: 'ok' | 'invalid_grant' | 'invalid_client';
  /** The refresh token issued in exchange, when the call succeeded. */
  issuedRefreshToken?: string;
}

interface AccessTokenRecord {
  sellerId: number;
  clientId: string;
  expiresAtMs: number;
  revoked: boolean;
}

interface RefreshTokenRecord {
  sellerId: number;
  clientId: string;
  used: boolean;
  revoked: boolean;
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
  sellerId: number;
}

export interface MlStateOptions {
  clock: EmulatorClock;
  clients: MlClient[];
  accessTokenTtlMs: number;
  searchLagMs: number;
  ordersLagMs: number;
}

const clone = <T>(v: T): T => structuredClone(v);

/**
 * Seeded records are written with a back-dated index clock, so they are searchable at once while later writes
 * wait out the lag.
 */
function indexClock(clock: EmulatorClock, backdate: { ms: number }): EmulatorClock {
  return { ...clock, now: () => clock.now() - backdate.ms };
}

export class MlState {
  readonly clock: EmulatorClock;
  clients: MlClient[];
  accessTokenTtlMs: number;
  readonly sellers = new Map<number, { id: number; nickname: string }>();
  private readonly accessTokens = new Map<string, AccessTokenRecord>();
  private readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  readonly refreshLog: RefreshLogEntry[] = [];
  private readonly backdate = { ms: 0 };
  readonly items: LaggedStore<MlItemRecord>;
  readonly orders: LaggedStore<MlOrderRecord>;
  private nextItem = 1_000_000_001;
  private nextVariation = 170_000_000_001;
  private nextOrder = 2_000_000_000_001;
  readonly scrolls = new Map<string, { ids: string[]; pos: number; expiresAtMs: number }>();

  constructor(opts: MlStateOptions) {
    this.clock = opts.clock;
    this.clients = opts.clients;
    this.accessTokenTtlMs = opts.accessTokenTtlMs;
    const ic = indexClock(opts.clock, this.backdate);
    this.items = createLaggedStore<MlItemRecord>({ clock: ic, lagMs: opts.searchLagMs });
    this.orders = createLaggedStore<MlOrderRecord>({ clock: ic, lagMs: opts.ordersLagMs });
  }

  clear(): void {
    this.sellers.clear();
    this.accessTokens.clear();
    this.refreshTokens.clear();
    this.refreshLog.length = 0;
    this.items.clear();
    this.orders.clear();
    this.scrolls.clear();
  }

  /** Runs `fn` with writes that every search sees at once (seed data). */
  seeding<T>(fn: () => T): T {
    this.backdate.ms = 10 * 365 * 24 * 3600_000;
    try {
      return fn();
    } finally {
      this.backdate.ms = 0;
    }
  }

  ensureSeller(id: number, nickname?: string): void {
    if (!this.sellers.has(id)) this.sellers.set(id, { id, nickname: nickname ?? `SELLER${id}` });
  }

  // ---------------------------------------------------------------------------------------------------------
  // OAuth

  issueTokens(sellerId: number, clientId?: string): IssuedTokens {
    this.ensureSeller(sellerId);
    const client = clientId ?? this.clients[0]?.clientId ?? 'app';
    const day = new Date(this.clock.now()).toISOString().slice(5, 10).replace('-', '');
    const accessToken = `APP_USR-${client}-${day}${randomBytes(12).toString('hex')}-${sellerId}`;
    const refreshToken = `TG-${randomBytes(12).toString('hex')}-${sellerId}`;
    const expiresAtMs = this.clock.now() + this.accessTokenTtlMs;
    this.accessTokens.set(accessToken, { sellerId, clientId: client, expiresAtMs, revoked: false });
    this.refreshTokens.set(refreshToken, { sellerId, clientId: client, used: false, revoked: false });
    return { accessToken, refreshToken, expiresAt: new Date(expiresAtMs), sellerId };
  }

  /** grant_type=refresh_token: the old refresh token dies, a new one is issued with the access token. */
  refresh(
    clientId: string,
    clientSecret: string,
    refreshToken: string,
  ): { ok: true; tokens: IssuedTokens } | { ok: false; error: 'invalid_client' | 'invalid_grant' } {
    const atMs = this.clock.now();
    const client = this.clients.find((c) => c.clientId === clientId);
    if (!client || client.clientSecret !== clientSecret) {
      this.refreshLog.push({ atMs, clientId, refreshToken, outcome: 'invalid_client' });
      return { ok: false, error: 'invalid_client' };
    }
    const record = this.refreshTokens.get(refreshToken);
    if (!record || record.used || record.revoked || record.clientId !== clientId) {
      this.refreshLog.push({ atMs, clientId, refreshToken, outcome: 'invalid_grant' });
      return { ok: false, error: 'invalid_grant' };
    }
    record.used = true;
    const tokens = this.issueTokens(record.sellerId, clientId);
    this.refreshLog.push({
      atMs,
      clientId,
      refreshToken,
      outcome: 'ok',
      issuedRefreshToken: tokens.refreshToken,
    });
    return { ok: true, tokens };
  }

  /** What a password change or an app revocation does: every token of the seller stops working. */
  revokeSeller(sellerId: number): void {
    for (const t of this.accessTokens.values()) if (t.sellerId === sellerId) t.revoked = true;
    for (const t of this.refreshTokens.values()) if (t.sellerId === sellerId) t.revoked = true;
  }

  authenticate(
    accessToken: string | undefined,
  ): { ok: true; sellerId: number } | { ok: false; reason: 'missing' | 'invalid' | 'expired' } {
    if (!accessToken) return { ok: false, reason: 'missing' };
    const record = this.accessTokens.get(accessToken);
    if (!record || record.revoked) return { ok: false, reason: 'invalid' };
    if (record.expiresAtMs <= this.clock.now()) return { ok: false, reason: 'expired' };
    return { ok: true, sellerId: record.sellerId };
  }

  // ---------------------------------------------------------------------------------------------------------
  // Items

  newItemId(): string {
    return `MLB${this.nextItem++}`;
  }

  newVariationId(): number {
    return this.nextVariation++;
  }

  newOrderId(): number {
    return this.nextOrder++;
  }

  getItem(id: string): MlItemRecord | undefined {
    const item = this.items.get(id);
    return item ? clone(item) : undefined;
  }

  /** Stores a new version; the item quantity of an item with variations is their sum, as on the platform. */
  putItem(item: MlItemRecord): MlItemRecord {
    const copy = clone(item);
    if (copy.variations.length > 0) {
      copy.availableQuantity = copy.variations.reduce((n, v) => n + v.availableQuantity, 0);
      copy.price = Math.max(...copy.variations.map((v) => v.price));
    }
    if (copy.status !== 'closed') copy.status = copy.availableQuantity > 0 ? 'active' : 'paused';
    this.items.put(copy.id, copy);
    return clone(copy);
  }

  /** Item ids the search index knows for a seller, oldest first. */
  searchItems(sellerId: number, filter: { sellerSku?: string; status?: string }): string[] {
    return this.items
      .listVisible()
      .filter((i) => i.sellerId === sellerId)
      .filter((i) => (filter.status ? i.status === filter.status : true))
      .filter((i) =>
        filter.sellerSku === undefined
          ? true
          : i.sku === filter.sellerSku || i.variations.some((v) => v.sku === filter.sellerSku),
      )
      .sort((a, b) => a.createdMs - b.createdMs || a.id.localeCompare(b.id))
      .map((i) => i.id);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Orders

  getOrder(id: number): MlOrderRecord | undefined {
    const order = this.orders.get(String(id));
    return order ? clone(order) : undefined;
  }

  putOrder(order: MlOrderRecord): MlOrderRecord {
    const copy = clone(order);
    copy.updatedMs = toSecond(copy.updatedMs);
    copy.createdMs = toSecond(copy.createdMs);
    this.orders.put(String(copy.id), copy);
    return clone(copy);
  }

  /** Changes an order now: its date_last_updated moves to the current second (so it moves to the end of a sort). */
  updateOrder(
    id: number,
    change: { status?: string; statusDetail?: string | null; tags?: string[] },
  ): MlOrderRecord {
    const order = this.getOrder(id);
    if (!order) throw new Error(`order ${id} not found`);
    if (change.status !== undefined) order.status = change.status;
    if (change.statusDetail !== undefined) order.statusDetail = change.statusDetail;
    if (change.tags !== undefined) order.tags = change.tags;
    order.updatedMs = this.clock.now();
    return this.putOrder(order);
  }

  /** What orders/search sees, sorted by date_last_updated (ties by id). */
  searchOrders(filter: {
    sellerId: number;
    fromMs?: number;
    toMs?: number;
    status?: string;
    sort: 'date_asc' | 'date_desc';
  }): MlOrderRecord[] {
    const list = this.orders
      .listVisible()
      .filter((o) => o.sellerId === filter.sellerId)
      .filter((o) => (filter.fromMs === undefined ? true : o.updatedMs >= filter.fromMs))
      .filter((o) => (filter.toMs === undefined ? true : o.updatedMs <= filter.toMs))
      .filter((o) => (filter.status ? o.status === filter.status : true))
      .sort((a, b) => a.updatedMs - b.updatedMs || a.id - b.id);
    return (filter.sort === 'date_desc' ? list.reverse() : list).map(clone);
  }
}

// -------------------------------------------------------------------------------------------------------------
// Wire shapes

function skuAttribute(sku: string): MlAttribute {
  return { id: 'SELLER_SKU', name: 'SKU', value_id: null, value_name: sku };
}

export function renderItem(item: MlItemRecord): Record<string, unknown> {
  return {
    id: item.id,
    site_id: 'MLB',
    title: item.title,
    seller_id: item.sellerId,
    category_id: item.categoryId,
    price: item.price,
    base_price: item.price,
    currency_id: item.currencyId,
    initial_quantity: item.availableQuantity + item.soldQuantity,
    available_quantity: item.availableQuantity,
    sold_quantity: item.soldQuantity,
    buying_mode: item.buyingMode,
    listing_type_id: item.listingTypeId,
    condition: item.condition,
    permalink: `https://produto.mercadolivre.com.br/${item.id.replace(/^MLB/, 'MLB-')}`,
    status: item.status,
    seller_custom_field: null,
    attributes: item.sku ? [skuAttribute(item.sku)] : [],
    variations: item.variations.map((v) => ({
      id: v.id,
      price: v.price,
      attribute_combinations: v.combinations,
      available_quantity: v.availableQuantity,
      sold_quantity: v.soldQuantity,
      seller_custom_field: null,
      attributes: v.sku ? [skuAttribute(v.sku)] : [],
    })),
    date_created: formatMlDate(item.createdMs),
    last_updated: formatMlDate(item.updatedMs),
  };
}

export function renderOrder(order: MlOrderRecord): Record<string, unknown> {
  const total = order.lines.reduce((n, l) => n + l.unitPrice * l.quantity, 0);
  return {
    id: order.id,
    status: order.status,
    status_detail: order.statusDetail,
    date_created: formatMlDate(order.createdMs),
    date_closed: formatMlDate(order.createdMs),
    last_updated: formatMlDate(order.updatedMs),
    date_last_updated: formatMlDate(order.updatedMs),
    pack_id: order.packId,
    order_items: order.lines.map((l) => ({
      item: {
        id: l.itemId,
        title: l.title,
        variation_id: l.variationId,
        seller_sku: l.sellerSku,
        seller_custom_field: null,
        variation_attributes: [],
      },
      quantity: l.quantity,
      unit_price: l.unitPrice,
      full_unit_price: l.unitPrice,
      currency_id: 'BRL',
    })),
    total_amount: Math.round(total * 100) / 100,
    paid_amount: order.status === 'paid' ? Math.round(total * 100) / 100 : 0,
    currency_id: 'BRL',
    buyer: { id: order.buyerId, nickname: `BUYER${order.buyerId}` },
    seller: { id: order.sellerId },
    tags: order.tags,
    shipping: { id: order.id + 40_000_000_000 },
  };
}
