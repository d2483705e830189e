/**
 * The jobs table as a pure state machine: pages from the `jobs` query and snapshots from `jobEvents` (or from a
 * mutation's answer) are merged here, so the table moves by itself and never goes backwards.
 *
 * - A snapshot of a row already shown replaces it when its `version` is newer; older or equal ones are stale
 *   (events can arrive after a fresher page, or twice) and change nothing.
 * - A job not shown joins the table when it matches the filters and belongs on the loaded pages (newest first:
 *   an older job than the last loaded row, with more pages to load, will come with those pages).
 * - A shown row that stops matching the filters (a RUNNING view whose job COMPLETED) stays where it is with its
 *   final state: rows settle rather than vanish under the operator's cursor.
 */
import type { JobRowFragment } from '../gql/graphql.ts';
import { jobMatchesFilters, type JobFilters } from './job-filters.ts';

export type JobRow = JobRowFragment;

export interface JobsPage {
  nodes: readonly JobRow[];
  totalCount: number | null;
  endCursor: string | null;
  hasNextPage: boolean;
}

export interface JobsTableState {
  filters: JobFilters;
  /** Newest first: createdAt descending, then id descending, as the server pages them. */
  rows: readonly JobRow[];
  totalCount: number | null;
  endCursor: string | null;
  hasNextPage: boolean;
  /** False until the first page arrives. */
  loaded: boolean;
  /** Snapshots heard before the first page arrived, newest version per job; merged into that page. */
  pending: readonly JobRow[];
}

export type JobsTableAction =
  | { type: 'reset'; filters: JobFilters }
  | { type: 'pageLoaded'; page: JobsPage; append: boolean }
  | { type: 'jobChanged'; job: JobRow };

export function initialJobsTableState(filters: JobFilters): JobsTableState {
  return {
    filters,
    rows: [],
    totalCount: null,
    endCursor: null,
    hasNextPage: false,
    loaded: false,
    pending: [],
  };
}

/** Negative when `a` comes before `b` in the table (newer first). */
export function compareRows(a: JobRow, b: JobRow): number {
  const at = a.createdAt ?? '';
  const bt = b.createdAt ?? '';
  if (at !== bt) return Date.parse(bt) - Date.parse(at) || (bt > at ? 1 : -1);
  const ai = a.id ?? '';
  const bi = b.id ?? '';
  return ai === bi ? 0 : bi > ai ? 1 : -1;
}

const versionOf = (job: JobRow) => job.version ?? -1;

/** The newer of two snapshots of the same job (the first on a tie). */
function newer(current: JobRow, candidate: JobRow): JobRow {
  return versionOf(candidate) > versionOf(current) ? { ...current, ...candidate } : current;
}

export function applyJobEvent(state: JobsTableState, job: JobRow): JobsTableState {
  if (!job.id) return state;
  if (!state.loaded) {
    // The page being fetched may predate this event: keep it until the page comes, then merge both.
    const seen = state.pending.find((p) => p.id === job.id);
    if (seen && versionOf(seen) >= versionOf(job)) return state;
    return { ...state, pending: [...state.pending.filter((p) => p.id !== job.id), job] };
  }
  return upsertRow(state, job);
}

function upsertRow(state: JobsTableState, job: JobRow): JobsTableState {
  const index = state.rows.findIndex((row) => row.id === job.id);
  if (index >= 0) {
    const current = state.rows[index]!;
    const next = newer(current, job);
    if (next === current) return state;
    const rows = state.rows.slice();
    rows[index] = next;
    return { ...state, rows };
  }
  if (!jobMatchesFilters(job, state.filters)) return state;
  const last = state.rows[state.rows.length - 1];
  if (state.hasNextPage && last && compareRows(job, last) > 0) return state;
  const at = state.rows.findIndex((row) => compareRows(job, row) < 0);
  const rows = state.rows.slice();
  rows.splice(at < 0 ? rows.length : at, 0, job);
  return { ...state, rows, totalCount: state.totalCount === null ? null : state.totalCount + 1 };
}

/**
 * A further page (`append`) is added below the rows. A first page replaces them (filters changed, or a refresh
 * after reconnecting); snapshots heard meanwhile, and live rows the page does not know yet, are merged back in by
 * the same rules as events. Either way a row already known in a newer version keeps that version.
 */
export function applyJobsPage(state: JobsTableState, page: JobsPage, append: boolean): JobsTableState {
  const known = new Map(state.rows.map((row) => [row.id, row]));
  const incoming = page.nodes
    .filter((job) => job.id)
    .map((job) => {
      const seen = known.get(job.id);
      return seen && versionOf(seen) > versionOf(job) ? seen : job;
    });
  const paging = { endCursor: page.endCursor, hasNextPage: page.hasNextPage, loaded: true, pending: [] };
  if (append) {
    const ids = new Set(state.rows.map((row) => row.id));
    return { ...state, ...paging, rows: [...state.rows, ...incoming.filter((job) => !ids.has(job.id))] };
  }
  let next: JobsTableState = { ...state, ...paging, rows: incoming, totalCount: page.totalCount };
  const pageIds = new Set(incoming.map((job) => job.id));
  for (const job of [...state.rows.filter((row) => !pageIds.has(row.id)), ...state.pending]) {
    next = upsertRow(next, job);
  }
  return next;
}

export function jobsTableReducer(state: JobsTableState, action: JobsTableAction): JobsTableState {
  switch (action.type) {
    case 'reset':
      return initialJobsTableState(action.filters);
    case 'pageLoaded':
      return applyJobsPage(state, action.page, action.append);
    case 'jobChanged':
      return applyJobEvent(state, action.job);
  }
}
