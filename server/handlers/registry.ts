import type { JobType, SyncType } from '../../db/types.ts';
import { allHandler } from './all.ts';
import { cleanupHandler, type CleanupOptions } from './cleanup.ts';
import type { AnyJobHandler, JobHandler, SyncOptions, SystemJobHandler } from './handler.ts';
import { inventoryHandler } from './inventory.ts';
import { ordersHandler } from './orders.ts';
import { productsHandler } from './products.ts';

/** One handler per job type: the sync handlers, and CLEANUP (maintenance work that belongs to no integration). */
export const handlers: Record<SyncType, JobHandler<SyncOptions>> & {
  CLEANUP: SystemJobHandler<CleanupOptions>;
} = {
  PRODUCTS: productsHandler,
  INVENTORY: inventoryHandler,
  ORDERS: ordersHandler,
  ALL: allHandler,
  CLEANUP: cleanupHandler,
};

/** The handler for a job's `sync_type`, or undefined for a type nothing runs. */
export function getHandler(type: string): AnyJobHandler | undefined {
  return Object.hasOwn(handlers, type) ? handlers[type as JobType] : undefined;
}
