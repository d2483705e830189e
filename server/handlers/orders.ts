import type { ExtOrder } from '../connectors/connector.ts';
import { defineResourceHandler, defineResourceSync } from './resource-sync.ts';

/** Channel orders → imported into the ERP, idempotently on the external order id. */
export const orderSync = defineResourceSync<ExtOrder>({
  resource: 'orders',
  count: (connector, q) => connector.countOrders(q),
  list: (connector, q) => connector.listOrders(q),
  write: (connector, items, opts) => connector.importOrders(items, opts),
});

export const ordersHandler = defineResourceHandler('ORDERS', orderSync);
