import type { JobType, Origin, Priority, QueueName } from '../../db/types.ts';

export interface RouteInput {
  priority: Priority;
  syncType: JobType;
  origin: Origin;
}

/**
 * The one routing rule (see the README's routing table). Priority comes first so urgent and high-priority work
 * lands on queues with reserved capacity; then maintenance; then bulk work (bulk calls, schedules, full syncs);
 * then one queue per sync type; low priority falls to `default`.
 */
export function routeJob({ priority, syncType, origin }: RouteInput): QueueName {
  if (priority === 'URGENT') return 'urgent';
  if (priority === 'HIGH') return 'high_priority';
  if (syncType === 'CLEANUP') return 'maintenance';
  if (origin === 'BULK' || origin === 'SCHEDULE' || syncType === 'ALL') return 'sync_bulk';
  if (priority === 'LOW') return 'default';
  switch (syncType) {
    case 'PRODUCTS':
      return 'sync_products';
    case 'INVENTORY':
      return 'sync_inventory';
    case 'ORDERS':
      return 'sync_orders';
  }
}
