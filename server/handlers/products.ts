import type { ExtProduct } from '../connectors/connector.ts';
import { hubProductSync } from '../hub/index.ts';
import { defineResourceHandler, defineResourceSync, withHub } from './resource-sync.ts';

/** ERP products (one per variant SKU) → channel listings' name and price. */
export const productSync = withHub(
  hubProductSync,
  defineResourceSync<ExtProduct>({
    resource: 'products',
    count: (connector, q) => connector.countProducts(q),
    list: (connector, q) => connector.listProducts(q),
    write: (connector, items, opts) => connector.upsertListings(items, opts),
  }),
);

export const productsHandler = defineResourceHandler('PRODUCTS', productSync);
