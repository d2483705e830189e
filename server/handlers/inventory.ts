import type { ExtStockLevel } from '../connectors/connector.ts';
import { hubInventorySync } from '../hub/index.ts';
import { defineResourceHandler, defineResourceSync, withHub } from './resource-sync.ts';

/** ERP stock, summed over warehouses per SKU → channel listings' available quantity. */
export const inventorySync = withHub(
  hubInventorySync,
  defineResourceSync<ExtStockLevel>({
    resource: 'inventory',
    count: (connector, q) => connector.countStock(q),
    list: (connector, q) => connector.listStock(q),
    write: (connector, items, opts) => connector.setListingStock(items, opts),
  }),
);

export const inventoryHandler = defineResourceHandler('INVENTORY', inventorySync);
