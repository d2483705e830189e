/**
 * Seed data for the Mercado Livre emulator: items (with or without variations, each SKU in a SELLER_SKU
 * attribute) and orders (packs, statuses, date_last_updated ties). The same JSON is accepted by
 * `POST /__admin/seed`; `buildMlCatalog` and `buildMlOrders` generate realistic bulk data for other tests.
 */
import { z } from 'zod';
import type { MlItemRecord, MlOrderRecord, MlState } from './state.ts';

const instant = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const ms = typeof v === 'number' ? v : Date.parse(v);
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: `not a date: ${String(v)}` });
    return z.NEVER;
  }
  return ms;
});

const seedVariationSchema = z.object({
  id: z.number().int().positive().optional(),
  sku: z.string().nullable().optional(),
  price: z.number().positive().optional(),
  availableQuantity: z.number().int().min(0).default(0),
  combinations: z.array(z.object({ id: z.string(), name: z.string(), value: z.string() })).default([]),
});

const seedItemSchema = z.object({
  id: z
    .string()
    .regex(/^MLB\d+$/)
    .optional(),
  sellerId: z.number().int().positive().optional(),
  title: z.string().min(1),
  price: z.number().positive(),
  availableQuantity: z.number().int().min(0).default(0),
  sku: z.string().nullable().optional(),
  categoryId: z.string().default('MLB1055'),
  status: z.enum(['active', 'paused', 'closed']).optional(),
  variations: z.array(seedVariationSchema).default([]),
  createdAt: instant.optional(),
});

const seedOrderSchema = z.object({
  id: z.number().int().positive().optional(),
  sellerId: z.number().int().positive().optional(),
  status: z.string().default('paid'),
  statusDetail: z.string().nullable().default(null),
  packId: z.number().int().positive().nullable().default(null),
  createdAt: instant.optional(),
  updatedAt: instant,
  buyerId: z.number().int().positive().default(90_000_001),
  tags: z.array(z.string()).optional(),
  lines: z
    .array(
      z.object({
        itemId: z.string(),
        variationId: z.number().int().nullable().default(null),
        sku: z.string().nullable().default(null),
        title: z.string().optional(),
        quantity: z.number().int().positive(),
        unitPrice: z.number().positive(),
      }),
    )
    .min(1),
});

export const mlSeedSchema = z.object({
  sellerId: z.number().int().positive().optional(),
  items: z.array(seedItemSchema).default([]),
  orders: z.array(seedOrderSchema).default([]),
});

export type MlSeed = z.input<typeof mlSeedSchema>;
export type MlSeedItem = z.input<typeof seedItemSchema>;
export type MlSeedOrder = z.input<typeof seedOrderSchema>;

export interface MlSeedResult {
  items: { id: string; sku: string | null; variations: { id: number; sku: string | null }[] }[];
  orders: number[];
}

/** Loads seed data; seeded records are searchable at once (no index lag). */
export function loadMlSeed(state: MlState, defaultSellerId: number, input: unknown): MlSeedResult {
  const seed = mlSeedSchema.parse(input);
  const sellerFallback = seed.sellerId ?? defaultSellerId;
  return state.seeding(() => {
    const now = state.clock.now();
    const items = seed.items.map((s) => {
      const sellerId = s.sellerId ?? sellerFallback;
      state.ensureSeller(sellerId);
      const record: MlItemRecord = {
        id: s.id ?? state.newItemId(),
        sellerId,
        title: s.title,
        categoryId: s.categoryId,
        price: s.price,
        currencyId: 'BRL',
        availableQuantity: s.availableQuantity,
        soldQuantity: 0,
        listingTypeId: 'gold_special',
        condition: 'new',
        buyingMode: 'buy_it_now',
        status: s.status ?? 'active',
        sku: s.sku ?? null,
        variations: s.variations.map((v) => ({
          id: v.id ?? state.newVariationId(),
          price: v.price ?? s.price,
          availableQuantity: v.availableQuantity,
          soldQuantity: 0,
          sku: v.sku ?? null,
          combinations: v.combinations.map((c) => ({
            id: c.id,
            name: c.name,
            value_id: null,
            value_name: c.value,
          })),
        })),
        createdMs: s.createdAt ?? now,
        updatedMs: s.createdAt ?? now,
      };
      const stored = state.putItem(record);
      return {
        id: stored.id,
        sku: stored.sku,
        variations: stored.variations.map((v) => ({ id: v.id, sku: v.sku })),
      };
    });
    const orders = seed.orders.map((s) => {
      const sellerId = s.sellerId ?? sellerFallback;
      state.ensureSeller(sellerId);
      const record: MlOrderRecord = {
        id: s.id ?? state.newOrderId(),
        sellerId,
        status: s.status,
        statusDetail: s.statusDetail,
        packId: s.packId,
        buyerId: s.buyerId,
        tags: s.tags ?? (s.status === 'paid' ? ['paid', 'not_delivered'] : []),
        createdMs: s.createdAt ?? s.updatedAt,
        updatedMs: s.updatedAt,
        lines: s.lines.map((l) => ({
          itemId: l.itemId,
          title: l.title ?? state.getItem(l.itemId)?.title ?? l.itemId,
          variationId: l.variationId,
          sellerSku: l.sku,
          quantity: l.quantity,
          unitPrice: l.unitPrice,
        })),
      };
      return state.putOrder(record).id;
    });
    return { items, orders };
  });
}

/** `products` items; with `variantsPerProduct > 1` each item has that many variations, each with its own SKU. */
export function buildMlCatalog(options: {
  products: number;
  variantsPerProduct?: number;
  skuPrefix?: string;
  price?: number;
  availableQuantity?: number;
}): MlSeedItem[] {
  const variants = options.variantsPerProduct ?? 1;
  const prefix = options.skuPrefix ?? 'SKU';
  return Array.from({ length: options.products }, (_, p): MlSeedItem => {
    const base = `${prefix}-${String(p + 1).padStart(4, '0')}`;
    const price = options.price ?? 50 + p;
    if (variants <= 1) {
      return {
        title: `Produto ${p + 1}`,
        price,
        availableQuantity: options.availableQuantity ?? 5,
        sku: base,
      };
    }
    return {
      title: `Produto ${p + 1}`,
      price,
      variations: Array.from({ length: variants }, (_, v) => ({
        sku: `${base}-${v + 1}`,
        price,
        availableQuantity: options.availableQuantity ?? 5,
        combinations: [{ id: 'SIZE', name: 'Tamanho', value: String(36 + v) }],
      })),
    };
  });
}

/**
 * `count` orders from `startMs` on, `perSecond` of them sharing each second of date_last_updated (ties), every
 * `packEvery`-th pair sharing a pack id. Lines point at `items` round-robin.
 */
export function buildMlOrders(options: {
  count: number;
  startMs: number;
  perSecond?: number;
  packEvery?: number;
  items: MlSeedResult['items'];
  statuses?: string[];
}): MlSeedOrder[] {
  const perSecond = options.perSecond ?? 1;
  const statuses = options.statuses ?? ['paid'];
  const targets = options.items.flatMap(
    (i): { itemId: string; variationId: number | null; sku: string | null }[] =>
      i.variations.length > 0
        ? i.variations.map((v) => ({ itemId: i.id, variationId: v.id, sku: v.sku }))
        : [{ itemId: i.id, variationId: null, sku: i.sku }],
  );
  if (targets.length === 0) throw new Error('buildMlOrders needs at least one item');
  return Array.from({ length: options.count }, (_, n): MlSeedOrder => {
    const target = targets[n % targets.length]!;
    const pack = options.packEvery && Math.floor(n / 2) % options.packEvery === 0;
    return {
      status: statuses[n % statuses.length]!,
      packId: pack ? 20_000_000_000_000 + Math.floor(n / 2) : null,
      updatedAt: options.startMs + Math.floor(n / perSecond) * 1000,
      lines: [{ ...target, quantity: 1 + (n % 3), unitPrice: 10 + (n % 7) }],
    };
  });
}
