/**
 * The jobs table's filters and their place in the URL query string, so a view can be shared by its link:
 * `/dashboard/sync?status=RUNNING,FAILED&type=PRODUCTS&priority=HIGH&queue=SYNC_PRODUCTS&integration=<id>`.
 * Unknown values are dropped, lists are de-duplicated and kept in a canonical order, and query parameters that
 * are not filters are left alone.
 */
import type {
  JobEventFilter,
  JobStatus,
  JobType,
  Priority,
  QueueName,
  SyncJobFilter,
  SyncType,
} from '../gql/graphql.ts';
import { JOB_STATUSES, PRIORITIES, QUEUE_NAMES, SYNC_TYPES } from '../graphql/enums.ts';

export interface JobFilters {
  status: readonly JobStatus[];
  syncType: readonly SyncType[];
  priority: readonly Priority[];
  queue: readonly QueueName[];
  integrationId: string | null;
}

export const EMPTY_FILTERS: JobFilters = Object.freeze({
  status: [],
  syncType: [],
  priority: [],
  queue: [],
  integrationId: null,
});

/** Query-string keys, one per filter. */
export const FILTER_PARAMS = {
  status: 'status',
  syncType: 'type',
  priority: 'priority',
  queue: 'queue',
  integrationId: 'integration',
} as const satisfies Record<keyof JobFilters, string>;

function parseList<T extends string>(raw: string | null, allowed: readonly T[]): T[] {
  if (!raw) return [];
  const wanted = new Set(raw.split(',').map((v) => v.trim().toUpperCase()));
  return allowed.filter((value) => wanted.has(value));
}

export function parseJobFilters(search: string | URLSearchParams): JobFilters {
  const params = typeof search === 'string' ? new URLSearchParams(search) : search;
  const integrationId = params.get(FILTER_PARAMS.integrationId)?.trim() || null;
  return {
    status: parseList(params.get(FILTER_PARAMS.status), JOB_STATUSES),
    syncType: parseList(params.get(FILTER_PARAMS.syncType), SYNC_TYPES),
    priority: parseList(params.get(FILTER_PARAMS.priority), PRIORITIES),
    queue: parseList(params.get(FILTER_PARAMS.queue), QUEUE_NAMES),
    integrationId,
  };
}

/**
 * The query string (with its `?`, or '' when empty) for `filters`, keeping every non-filter parameter of
 * `current` as it was.
 */
export function formatJobFilters(filters: JobFilters, current: string | URLSearchParams = ''): string {
  const params = new URLSearchParams(current);
  const lists = {
    status: [...JOB_STATUSES],
    syncType: [...SYNC_TYPES],
    priority: [...PRIORITIES],
    queue: [...QUEUE_NAMES],
  } as const;
  for (const key of ['status', 'syncType', 'priority', 'queue'] as const) {
    const chosen = lists[key].filter((v) => (filters[key] as readonly string[]).includes(v));
    if (chosen.length > 0) params.set(FILTER_PARAMS[key], chosen.join(','));
    else params.delete(FILTER_PARAMS[key]);
  }
  if (filters.integrationId) params.set(FILTER_PARAMS.integrationId, filters.integrationId);
  else params.delete(FILTER_PARAMS.integrationId);
  // Commas are legal in a query string and read better in a shared link than %2C.
  const text = params.toString().replace(/%2C/g, ',');
  return text ? `?${text}` : '';
}

export function hasFilters(filters: JobFilters): boolean {
  return (
    filters.status.length > 0 ||
    filters.syncType.length > 0 ||
    filters.priority.length > 0 ||
    filters.queue.length > 0 ||
    filters.integrationId !== null
  );
}

/** A stable key: equal filters give equal keys, whatever the order they were chosen in. */
export function filtersKey(filters: JobFilters): string {
  return formatJobFilters(filters);
}

/** Variables for the `jobs` query. */
export function toSyncJobFilter(filters: JobFilters): SyncJobFilter {
  return {
    ...(filters.status.length ? { status: [...filters.status] } : {}),
    ...(filters.syncType.length ? { syncType: [...filters.syncType] } : {}),
    ...(filters.priority.length ? { priority: [...filters.priority] } : {}),
    ...(filters.queue.length ? { queue: [...filters.queue] } : {}),
    ...(filters.integrationId ? { integrationId: filters.integrationId } : {}),
  };
}

/**
 * Variables for the `jobEvents` subscription. Status is left out on purpose: the server filters events on the
 * status *after* the change, so a row shown as RUNNING would never hear that it COMPLETED. Priority is not a
 * server-side event filter; both are applied by `jobMatchesFilters` when deciding whether a job joins the table.
 */
export function toJobEventFilter(filters: JobFilters): JobEventFilter {
  return {
    ...(filters.syncType.length ? { syncType: [...filters.syncType] } : {}),
    ...(filters.queue.length ? { queue: [...filters.queue] } : {}),
    ...(filters.integrationId ? { integrationId: filters.integrationId } : {}),
  };
}

export interface FilterableJob {
  status?: JobStatus | null;
  syncType?: JobType | null;
  priority?: Priority | null;
  queue?: QueueName | null;
  integrationId?: string | null;
}

export function jobMatchesFilters(job: FilterableJob, filters: JobFilters): boolean {
  const within = <T>(value: T | null | undefined, allowed: readonly T[]) =>
    allowed.length === 0 || (value != null && allowed.includes(value));
  return (
    within(job.status, filters.status) &&
    within<JobType>(job.syncType, filters.syncType) &&
    within(job.priority, filters.priority) &&
    within(job.queue, filters.queue) &&
    (filters.integrationId === null || job.integrationId === filters.integrationId)
  );
}

/** `filters` with `value` added to or removed from the list `key`. */
export function toggleFilterValue<K extends 'status' | 'syncType' | 'priority' | 'queue'>(
  filters: JobFilters,
  key: K,
  value: JobFilters[K][number],
): JobFilters {
  const current = filters[key] as readonly string[];
  const next = current.includes(value) ? current.filter((v) => v !== value) : [...current, value];
  return { ...filters, [key]: next };
}
