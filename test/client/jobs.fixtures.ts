/** Job rows for client tests: a fixed clock, ids that sort like the server's (newest first). */
import type { JobRow } from '../../client/src/jobs/apply-job-event.ts';

export const INTEGRATION = '11111111-1111-4111-8111-111111111111';
export const OTHER_INTEGRATION = '22222222-2222-4222-8222-222222222222';

let counter = 0;

/** A QUEUED products job created `minute` minutes after 10:00 UTC, version 1, unless overridden. */
export function jobRow(overrides: Partial<JobRow> & { minute?: number } = {}): JobRow {
  const { minute = counter++, ...rest } = overrides;
  const id = rest.id ?? `00000000-0000-4000-8000-${String(minute).padStart(12, '0')}`;
  return {
    id,
    integrationId: INTEGRATION,
    syncType: 'PRODUCTS',
    priority: 'NORMAL',
    queue: 'SYNC_PRODUCTS',
    status: 'QUEUED',
    progress: 0,
    processedItems: 0,
    totalItems: null,
    failedItems: 0,
    message: null,
    attempts: 0,
    maxAttempts: 3,
    cancelRequestedAt: null,
    createdAt: new Date(Date.UTC(2026, 4, 1, 10, minute)).toISOString(),
    startedAt: null,
    finishedAt: null,
    runAt: null,
    version: 1,
    error: null,
    ...rest,
  };
}

export function page(nodes: JobRow[], more: { hasNextPage?: boolean; totalCount?: number } = {}) {
  return {
    jobs: {
      totalCount: more.totalCount ?? nodes.length,
      pageInfo: {
        endCursor: nodes.length ? `cursor-${nodes[nodes.length - 1]!.id}` : null,
        hasNextPage: more.hasNextPage ?? false,
      },
      nodes,
    },
  };
}
