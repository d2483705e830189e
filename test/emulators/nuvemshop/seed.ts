/**
 * Seed data for the Nuvemshop emulator: the JSON accepted by `POST /__admin/seed` (and `emulator.seed()`), and a
 * generator of a plausible store (products with variants and SKUs, orders spread over days) for other tests.
 */
import { z } from 'zod';
import type { NuvemshopState, EmuOrder, EmuProduct, EmuStore } from './state.ts';
import { ORDER_STATUSES, PAYMENT_STATUSES, SHIPPING_STATUSES } from './state.ts';

const when = z.union([z.number(), z.string().transform((s) => Date.parse(s))]).pipe(z.number().finite());
const money = z
  .union([z.string().regex(/^\d+(\.\d{1,2})?$/), z.number().nonnegative()])
  .transform((v) => Number(v).toFixed(2));

const seedVariant = z.object({
  id: z.number().int().positive().optional(),
  sku: z.string().nullable(),
  price: money.nullable().default('10.00'),
  /** null: infinite (stock not managed). */
  stock: z.number().int().min(0).nullable().default(0),
  values: z.array(z.record(z.string(), z.string())).default([]),
});

const seedProduct = z.object({
  id: z.number().int().positive().optional(),
  name: z.union([z.string(), z.record(z.string(), z.string())]),
  published: z.boolean().default(true),
  updatedAt: when.optional(),
  variants: z.array(seedVariant).min(1),
});

const seedOrder = z.object({
  id: z.number().int().positive().optional(),
  number: z.number().int().positive().optional(),
  status: z.enum(ORDER_STATUSES).default('open'),
  payment_status: z.enum(PAYMENT_STATUSES).default('pending'),
  shipping_status: z.enum(SHIPPING_STATUSES).default('unpacked'),
  createdAt: when.optional(),
  updatedAt: when.optional(),
  /** Lines name a seeded SKU; product and variant ids are looked up. */
  products: z
    .array(z.object({ sku: z.string(), quantity: z.number().int().positive(), price: money.optional() }))
    .min(1),
});

export const nuvemshopStoreSeedSchema = z.object({
  id: z.union([z.string().regex(/^\d+$/), z.number().int().positive()]).transform(String),
  token: z.string().min(1),
  name: z.string().optional(),
  unpaid: z.boolean().optional(),
  /** How long lists, SKU searches and `updated_at` filters lag behind writes. */
  lagMs: z.number().int().min(0).optional(),
  products: z.array(seedProduct).default([]),
  orders: z.array(seedOrder).default([]),
});

export const nuvemshopSeedSchema = z.union([
  nuvemshopStoreSeedSchema.transform((s) => [s]),
  z.object({ stores: z.array(nuvemshopStoreSeedSchema) }).transform((s) => s.stores),
]);

export type NuvemshopStoreSeed = z.input<typeof nuvemshopStoreSeedSchema>;
export type NuvemshopSeed = z.input<typeof nuvemshopSeedSchema>;

export interface SeededStore {
  id: string;
  products: { id: number; variants: { id: number; sku: string | null }[] }[];
  orders: { id: number; number: number }[];
}

function findVariantBySku(store: EmuStore, sku: string) {
  for (const p of store.products.all()) {
    const v = p.variants.find((x) => x.sku === sku);
    if (v) return { product: p, variant: v };
  }
  return undefined;
}

/** Loads stores (merging into existing ones) and returns the ids given to what was created. */
export function loadNuvemshopSeed(state: NuvemshopState, input: unknown): SeededStore[] {
  const stores = nuvemshopSeedSchema.parse(input);
  const now = state.clock.now();
  return stores.map((s) => {
    const store = state.upsertStore({
      id: s.id,
      token: s.token,
      ...(s.name !== undefined ? { name: s.name } : {}),
      ...(s.unpaid !== undefined ? { unpaid: s.unpaid } : {}),
      ...(s.lagMs !== undefined ? { lagMs: s.lagMs } : {}),
    });
    const out: SeededStore = { id: s.id, products: [], orders: [] };
    for (const p of s.products) {
      const id = p.id ?? state.nextId();
      const at = Math.floor((p.updatedAt ?? now) / 1000) * 1000;
      const product: EmuProduct = {
        id,
        name: typeof p.name === 'string' ? { pt: p.name } : p.name,
        published: p.published,
        created_at: at,
        updated_at: at,
        variants: p.variants.map((v) => ({
          id: v.id ?? state.nextId(),
          product_id: id,
          sku: v.sku,
          price: v.price,
          promotional_price: null,
          stock: v.stock,
          stock_management: v.stock !== null,
          values: v.values,
          created_at: at,
          updated_at: at,
        })),
      };
      state.saveProduct(store, product, true);
      out.products.push({ id, variants: product.variants.map((v) => ({ id: v.id, sku: v.sku })) });
    }
    for (const o of s.orders) {
      const id = o.id ?? state.nextId();
      const updated = Math.floor((o.updatedAt ?? now) / 1000) * 1000;
      const created = Math.floor((o.createdAt ?? o.updatedAt ?? now) / 1000) * 1000;
      const lines = o.products.map((line) => {
        const found = findVariantBySku(store, line.sku);
        return {
          product_id: found?.product.id ?? 0,
          variant_id: found?.variant.id ?? 0,
          sku: line.sku,
          name: found?.product.name.pt ?? line.sku,
          quantity: line.quantity,
          price: line.price ?? found?.variant.price ?? '0.00',
        };
      });
      const total = lines.reduce((sum, l) => sum + Number(l.price) * l.quantity, 0).toFixed(2);
      const order: EmuOrder = {
        id,
        number: o.number ?? id,
        status: o.status,
        payment_status: o.payment_status,
        shipping_status: o.shipping_status,
        currency: 'BRL',
        total,
        products: lines,
        created_at: created,
        updated_at: updated,
      };
      state.saveOrder(store, order, true);
      out.orders.push({ id, number: order.number });
    }
    return out;
  });
}

/**
 * A plausible store: `products` products with `variantsPerProduct` SKUs each (`SKU-<p>-<v>`), and `orders` orders
 * whose `updated_at` are spread over the last `spreadDays` days, several sharing a second.
 */
export function buildNuvemshopStoreSeed(options: {
  id: string;
  token: string;
  products?: number;
  variantsPerProduct?: number;
  orders?: number;
  spreadDays?: number;
  nowMs?: number;
  unpaid?: boolean;
  lagMs?: number;
}): NuvemshopStoreSeed {
  const productCount = options.products ?? 5;
  const perProduct = options.variantsPerProduct ?? 2;
  const orderCount = options.orders ?? 10;
  const spreadMs = (options.spreadDays ?? 3) * 86_400_000;
  const now = options.nowMs ?? Date.now();
  const products = Array.from({ length: productCount }, (_, p) => ({
    name: `Produto ${p + 1}`,
    updatedAt: now - spreadMs + Math.floor((spreadMs * p) / Math.max(1, productCount)),
    variants: Array.from({ length: perProduct }, (_, v) => ({
      sku: `SKU-${p + 1}-${v + 1}`,
      price: `${(19.9 + p * 10 + v).toFixed(2)}`,
      stock: (p * 7 + v * 3) % 25,
      values: [{ pt: `V${v + 1}` }],
    })),
  }));
  const statuses = [
    { status: 'open', payment_status: 'pending', shipping_status: 'unpacked' },
    { status: 'open', payment_status: 'paid', shipping_status: 'unpacked' },
    { status: 'closed', payment_status: 'paid', shipping_status: 'shipped' },
    { status: 'cancelled', payment_status: 'voided', shipping_status: 'unpacked' },
  ] as const;
  const orders = Array.from({ length: orderCount }, (_, i) => {
    // Pairs of orders share a second: updated_at ties are the normal case.
    const at = now - spreadMs + Math.floor((spreadMs * Math.floor(i / 2)) / Math.max(1, orderCount));
    const p = (i % Math.max(1, productCount)) + 1;
    return {
      ...statuses[i % statuses.length]!,
      createdAt: at - 3_600_000,
      updatedAt: at,
      products:
        productCount > 0
          ? [{ sku: `SKU-${p}-1`, quantity: 1 + (i % 3) }]
          : [{ sku: 'UNKNOWN', quantity: 1, price: '1.00' }],
    };
  });
  return {
    id: options.id,
    token: options.token,
    ...(options.unpaid !== undefined ? { unpaid: options.unpaid } : {}),
    ...(options.lagMs !== undefined ? { lagMs: options.lagMs } : {}),
    products,
    orders,
  };
}
