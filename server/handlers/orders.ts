import type { ExtOrder } from '../connectors/connector.ts';
import { hubOrderSync } from '../hub/index.ts';
import { defineResourceHandler, defineResourceSync, withHub } from './resource-sync.ts';

/** Channel orders → imported into the ERP, idempotently on the external order id. */
export const orderSync = withHub(
  hubOrderSync,
  defineResourceSync<ExtOrder>({
    resource: 'orders',
    count: (connector, q) => connector.countOrders(q),
    list: (connector, q) => connector.listOrders(q),
    write: (connector, items, opts) => connector.importOrders(items, opts),
  }),
);

export const ordersHandler = defineResourceHandler('ORDERS', orderSync);
