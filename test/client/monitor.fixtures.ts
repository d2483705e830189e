/** Workers and queue figures for the Monitor's component tests: a fixed clock, the eight queues. */
import type { QueueMonitorQuery, QueueName, WorkerFieldsFragment } from '../../client/src/gql/graphql.ts';

export const QUEUES: QueueName[] = [
  'URGENT',
  'HIGH_PRIORITY',
  'SYNC_PRODUCTS',
  'SYNC_INVENTORY',
  'SYNC_ORDERS',
  'SYNC_BULK',
  'DEFAULT',
  'MAINTENANCE',
];

export const NOW = '2026-05-01T10:00:00.000Z';

export function worker(overrides: Partial<WorkerFieldsFragment> = {}): WorkerFieldsFragment {
  return {
    id: 'host-a:101:abc123',
    host: 'host-a',
    pid: 101,
    version: '0.1.0',
    state: 'RUNNING',
    online: true,
    processed: 12,
    succeeded: 10,
    failed: 2,
    startedAt: '2026-05-01T09:00:00.000Z',
    lastSeenAt: NOW,
    queues: QUEUES.map((name) => ({ name, concurrency: name === 'MAINTENANCE' ? 0 : 2, paused: false })),
    running: [],
    ...overrides,
  };
}

/** The answer of QueueMonitor: figures (per-queue overrides), no performance yet, empty charts. */
export function queueMonitor(
  figures: Partial<Record<QueueName, { waiting?: number; delayed?: number; paused?: boolean }>> = {},
  generatedAt = NOW,
): QueueMonitorQuery {
  const chart: { minute: string | null; completed: number | null; failed: number | null }[] = [];
  return {
    queueStats: {
      generatedAt,
      totals: { queued: 0, running: 0, completed: 0, failed: 0, cancelled: 0 },
      queues: QUEUES.map((name) => ({
        name,
        waiting: figures[name]?.waiting ?? 0,
        active: 0,
        delayed: figures[name]?.delayed ?? 0,
        paused: figures[name]?.paused ?? false,
        completedLastHour: 0,
        failedLastHour: 0,
        oldestWaitingSeconds: null,
      })),
    },
    queuePerformance: QUEUES.map((queue) => ({
      queue,
      windowMinutes: 15,
      failureRate: null,
      throughput: [1, 5, 15].map((minutes) => ({
        minutes,
        completed: 0,
        failed: 0,
        completedPerMinute: 0,
        failedPerMinute: 0,
        failureRate: null,
      })),
      waitSeconds: { count: 0, p50: null, p95: null, p99: null },
      runSeconds: { count: 0, p50: null, p95: null, p99: null },
    })),
    urgent: chart,
    highPriority: chart,
    syncProducts: chart,
    syncInventory: chart,
    syncOrders: chart,
    syncBulk: chart,
    default: chart,
    maintenance: chart,
  };
}
