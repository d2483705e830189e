/**
 * The Nuvemshop emulator's data: stores, each with its products (with variants and SKUs) and orders. Records are
 * kept in lagged stores, so reads by id see a write at once while lists, SKU searches and `updated_at` filters
 * see it only after the store's lag. `updated_at` has 1-second resolution, so writes in one second tie.
 */
import { createTokenBucket, toSecond, type EmulatorClock, type TokenBucket } from '../kit.ts';
import { createBackdatableStore, type BackdatableStore } from './lagged.ts';

export interface EmuVariant {
  id: number;
  product_id: number;
  sku: string | null;
  price: string | null;
  promotional_price: string | null;
  /** null with stock_management false: infinite stock. */
  stock: number | null;
  stock_management: boolean;
  values: Record<string, string>[];
  created_at: number;
  updated_at: number;
}

export interface EmuProduct {
  id: number;
  name: Record<string, string>;
  published: boolean;
  variants: EmuVariant[];
  created_at: number;
  updated_at: number;
}

export const ORDER_STATUSES = ['open', 'closed', 'cancelled'] as const;
export const PAYMENT_STATUSES = ['pending', 'authorized', 'paid', 'abandoned', 'refunded', 'voided'] as const;
export const SHIPPING_STATUSES = ['unpacked', 'unshipped', 'shipped', 'delivered'] as const;

export interface EmuOrderLine {
  product_id: number;
  variant_id: number;
  sku: string | null;
  name: string;
  quantity: number;
  price: string;
}

export interface EmuOrder {
  id: number;
  number: number;
  status: (typeof ORDER_STATUSES)[number];
  payment_status: (typeof PAYMENT_STATUSES)[number];
  shipping_status: (typeof SHIPPING_STATUSES)[number];
  currency: string;
  total: string;
  products: EmuOrderLine[];
  created_at: number;
  updated_at: number;
}

export interface EmuStore {
  id: string;
  name: string;
  token: string;
  /** The store's plan (or the app's) is unpaid: every call answers 402. */
  unpaid: boolean;
  bucket: TokenBucket;
  products: BackdatableStore<EmuProduct>;
  orders: BackdatableStore<EmuOrder>;
}

/** Leaky bucket of every store: 40 calls, draining 2 per second (the base plans). */
export const BUCKET_SIZE = 40;
export const LEAK_PER_SECOND = 2;

const clone = <T>(value: T): T => structuredClone(value);

export interface NuvemshopState {
  clock: EmulatorClock;
  store(id: string): EmuStore | undefined;
  /** Creates the store, or returns it when it exists (token, name and flags are updated). */
  upsertStore(input: {
    id: string;
    token: string;
    name?: string;
    unpaid?: boolean;
    lagMs?: number;
  }): EmuStore;
  stores(): EmuStore[];
  nextId(): number;
  /** Saves a new version of a product, stamping `updated_at` (1-s resolution) unless `keepStamp`. */
  saveProduct(store: EmuStore, product: EmuProduct, keepStamp?: boolean): EmuProduct;
  /** `visibleFrom` (emulator ms) delays when lists see this version, beyond the store's lag. */
  saveOrder(store: EmuStore, order: EmuOrder, keepStamp?: boolean, visibleFrom?: number): EmuOrder;
  clear(): void;
}

export function createNuvemshopState(clock: EmulatorClock): NuvemshopState {
  const stores = new Map<string, EmuStore & { lagMs: number }>();
  let seq = 1000;
  const now = () => toSecond(clock.now());
  return {
    clock,
    store: (id) => stores.get(id),
    upsertStore(input) {
      const existing = stores.get(input.id);
      if (existing) {
        existing.token = input.token;
        if (input.name !== undefined) existing.name = input.name;
        if (input.unpaid !== undefined) existing.unpaid = input.unpaid;
        if (input.lagMs !== undefined) {
          existing.products.setLag(input.lagMs);
          existing.orders.setLag(input.lagMs);
        }
        return existing;
      }
      const lagMs = input.lagMs ?? 0;
      const store = {
        id: input.id,
        name: input.name ?? `Store ${input.id}`,
        token: input.token,
        unpaid: input.unpaid ?? false,
        lagMs,
        bucket: createTokenBucket({ clock, capacity: BUCKET_SIZE, refillPerSecond: LEAK_PER_SECOND }),
        products: createBackdatableStore<EmuProduct>({ clock, lagMs }),
        orders: createBackdatableStore<EmuOrder>({ clock, lagMs }),
      };
      stores.set(input.id, store);
      return store;
    },
    stores: () => [...stores.values()],
    nextId: () => ++seq,
    saveProduct(store, product, keepStamp = false) {
      const stamped = clone(product);
      if (!keepStamp) stamped.updated_at = now();
      // Seeded history (keepStamp) is visible from its own stamp; a live write from now.
      store.products.put(String(stamped.id), stamped, keepStamp ? stamped.updated_at : undefined);
      return clone(stamped);
    },
    saveOrder(store, order, keepStamp = false, visibleFrom) {
      const stamped = clone(order);
      if (!keepStamp) stamped.updated_at = now();
      store.orders.put(
        String(stamped.id),
        stamped,
        visibleFrom ?? (keepStamp ? stamped.updated_at : undefined),
      );
      return clone(stamped);
    },
    clear() {
      stores.clear();
      seq = 1000;
    },
  };
}
