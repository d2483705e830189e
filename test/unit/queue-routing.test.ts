import { describe, expect, it } from 'vitest';
import { JOB_TYPES, ORIGINS, PRIORITIES, QUEUE_NAMES } from '../../db/types.ts';
import { routeJob } from '../../server/queue/routing.ts';

describe('routeJob', () => {
  it.each([
    [{ priority: 'URGENT', syncType: 'PRODUCTS', origin: 'BULK' }, 'urgent'],
    [{ priority: 'HIGH', syncType: 'ALL', origin: 'API' }, 'high_priority'],
    [{ priority: 'HIGH', syncType: 'INVENTORY', origin: 'QUICK' }, 'high_priority'],
    [{ priority: 'NORMAL', syncType: 'CLEANUP', origin: 'SCHEDULE' }, 'maintenance'],
    [{ priority: 'NORMAL', syncType: 'PRODUCTS', origin: 'BULK' }, 'sync_bulk'],
    [{ priority: 'NORMAL', syncType: 'ORDERS', origin: 'SCHEDULE' }, 'sync_bulk'],
    [{ priority: 'NORMAL', syncType: 'ALL', origin: 'API' }, 'sync_bulk'],
    [{ priority: 'NORMAL', syncType: 'PRODUCTS', origin: 'API' }, 'sync_products'],
    [{ priority: 'NORMAL', syncType: 'INVENTORY', origin: 'API' }, 'sync_inventory'],
    [{ priority: 'NORMAL', syncType: 'ORDERS', origin: 'API' }, 'sync_orders'],
    [{ priority: 'LOW', syncType: 'ORDERS', origin: 'API' }, 'default'],
  ] as const)('%o → %s', (input, queue) => {
    expect(routeJob(input)).toBe(queue);
  });

  it('routes every combination to one of the eight queues, and uses all eight', () => {
    const used = new Set<string>();
    for (const priority of PRIORITIES)
      for (const syncType of JOB_TYPES)
        for (const origin of ORIGINS) {
          const queue = routeJob({ priority, syncType, origin });
          expect(QUEUE_NAMES).toContain(queue);
          used.add(queue);
        }
    expect([...used].sort()).toEqual([...QUEUE_NAMES].sort());
  });
});
