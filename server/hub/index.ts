/** The hub's resource syncs, run by the sync handlers when an integration is a real platform. */
export { hubInventorySync } from './inventory.ts';
export { hubOrderSync } from './orders.ts';
export { hubProductSync } from './products.ts';
export type { FailedItem, HubDetails } from './run.ts';
