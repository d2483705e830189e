import type { SyncType } from '../../db/types.ts';
import { allHandler } from './all.ts';
import type { JobHandler, SyncOptions } from './handler.ts';
import { inventoryHandler } from './inventory.ts';
import { ordersHandler } from './orders.ts';
import { productsHandler } from './products.ts';

export const handlers: Record<SyncType, JobHandler<SyncOptions>> = {
  PRODUCTS: productsHandler,
  INVENTORY: inventoryHandler,
  ORDERS: ordersHandler,
  ALL: allHandler,
};

/** The handler for a job's `sync_type`, or undefined for a type no sync handler runs (e.g. CLEANUP). */
export function getHandler(type: string): JobHandler<SyncOptions> | undefined {
  return Object.hasOwn(handlers, type) ? handlers[type as SyncType] : undefined;
}
