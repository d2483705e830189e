import type { ExtProduct } from '../connectors/connector.ts';
import { defineResourceHandler, defineResourceSync } from './resource-sync.ts';

/** ERP products (one per variant SKU) → channel listings' name and price. */
export const productSync = defineResourceSync<ExtProduct>({
  resource: 'products',
  count: (connector, q) => connector.countProducts(q),
  list: (connector, q) => connector.listProducts(q),
  write: (connector, items, opts) => connector.upsertListings(items, opts),
});

export const productsHandler = defineResourceHandler('PRODUCTS', productSync);
