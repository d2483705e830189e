/**
 * The jobs table: pages from `jobs(filter, first, after)`, kept live by `jobEvents` through the pure reducer in
 * apply-job-event.ts. New matching jobs appear, progress moves and finished rows settle without a reload; after a
 * reconnect the loaded rows are re-read, since events sent while the socket was down are gone.
 */
import type { CombinedError } from '@urql/core';
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { useClient, useMutation } from 'urql';
import { useConnection } from '../app/connection-context.tsx';
import { Link, routes } from '../app/router.tsx';
import { enumLabel, isFinished, queueLabel } from '../graphql/enums.ts';
import { fetchOnce } from '../graphql/fetch-once.ts';
import { useSubscriptionEvents } from '../graphql/use-subscription-events.ts';
import { ErrorMessage } from '../ui/ErrorMessage.tsx';
import { formatElapsed, formatRelative, shortId } from '../ui/format.ts';
import { ProgressBar } from '../ui/ProgressBar.tsx';
import { EmptyState, Loading } from '../ui/states.tsx';
import { StatusBadge } from '../ui/StatusBadge.tsx';
import { useNow } from '../ui/use-now.ts';
import { initialJobsTableState, jobsTableReducer, type JobRow } from './apply-job-event.ts';
import {
  filtersKey,
  hasFilters,
  parseJobFilters,
  toJobEventFilter,
  toSyncJobFilter,
  type JobFilters,
} from './job-filters.ts';
import {
  CancelSyncJobMutation,
  JobEventsSubscription,
  JobsQuery,
  RetrySyncJobMutation,
} from './job-operations.ts';

export const PAGE_SIZE = 20;
/** A refresh re-reads at most this many rows (the server's page limit is 500). */
const MAX_REFRESH_ROWS = 200;

export function JobsTable({
  filters,
  integrationNames,
  pageSize = PAGE_SIZE,
  onClearFilters,
}: {
  filters: JobFilters;
  integrationNames: ReadonlyMap<string, string>;
  pageSize?: number;
  onClearFilters?: () => void;
}) {
  const client = useClient();
  // Equal filters, equal object: effects below restart only when the filters really change.
  const key = filtersKey(filters);
  const current = useMemo(() => parseJobFilters(key), [key]);
  const [state, dispatch] = useReducer(jobsTableReducer, current, initialJobsTableState);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<CombinedError | null>(null);
  const { generation } = useConnection();
  const pending = useRef<(() => void) | null>(null);

  const load = useCallback(
    (options: { after: string | null; first: number; append: boolean }) => {
      pending.current?.();
      pending.current = fetchOnce(
        client,
        JobsQuery,
        { filter: toSyncJobFilter(current), first: options.first, after: options.after },
        (result) => {
          pending.current = null;
          setLoadingMore(false);
          setError(result.error ?? null);
          const jobs = result.data?.jobs;
          if (!jobs) return;
          dispatch({
            type: 'pageLoaded',
            append: options.append,
            page: {
              nodes: jobs.nodes ?? [],
              totalCount: jobs.totalCount ?? null,
              endCursor: jobs.pageInfo?.endCursor ?? null,
              hasNextPage: jobs.pageInfo?.hasNextPage ?? false,
            },
          });
        },
      );
    },
    [client, current],
  );

  // New filters: start over (the reducer forgets the old rows) and read the first page.
  useEffect(() => {
    dispatch({ type: 'reset', filters: current });
    load({ after: null, first: pageSize, append: false });
    return () => {
      pending.current?.();
      pending.current = null;
    };
  }, [current, pageSize, load]);

  // A reconnect (not the first connect): events sent meanwhile are lost, so re-read what is on screen.
  const seenGeneration = useRef(generation);
  const shown = state.rows.length;
  useEffect(() => {
    const previous = seenGeneration.current;
    seenGeneration.current = generation;
    if (previous === 0 || generation <= previous) return;
    load({ after: null, first: Math.min(Math.max(pageSize, shown), MAX_REFRESH_ROWS), append: false });
  }, [generation, pageSize, load, shown]);

  const { error: liveError } = useSubscriptionEvents(
    JobEventsSubscription,
    { filter: toJobEventFilter(current) },
    (data) => {
      const job = data.jobEvents?.job;
      if (job) dispatch({ type: 'jobChanged', job });
    },
  );

  const onJobChanged = useCallback((job: JobRow) => dispatch({ type: 'jobChanged', job }), []);

  return (
    <section className="jobs-table-section" aria-label="Jobs" aria-busy={!state.loaded || loadingMore}>
      <ErrorMessage error={error} title="Could not load jobs" />
      <ErrorMessage error={liveError} title="Live job updates failed" />
      {!state.loaded && !error && <Loading label="Loading jobs…" />}
      {state.loaded && state.rows.length === 0 && (
        <EmptyState title={hasFilters(filters) ? 'No jobs match these filters' : 'No jobs yet'}>
          {hasFilters(filters) && onClearFilters ? (
            <button type="button" className="button-link" onClick={onClearFilters}>
              Clear filters
            </button>
          ) : (
            'Create a job above, or quick-sync an integration: it appears here as soon as it is queued.'
          )}
        </EmptyState>
      )}
      {state.rows.length > 0 && (
        <JobsTableView rows={state.rows} integrationNames={integrationNames} onJobChanged={onJobChanged} />
      )}
      {state.loaded && (
        <div className="table-footer">
          <span className="muted" aria-live="polite">
            {state.rows.length.toLocaleString()} of {(state.totalCount ?? state.rows.length).toLocaleString()}{' '}
            job{state.totalCount === 1 ? '' : 's'}
          </span>
          {state.hasNextPage && (
            <button
              type="button"
              disabled={loadingMore}
              onClick={() => {
                setLoadingMore(true);
                load({ after: state.endCursor, first: pageSize, append: true });
              }}
            >
              {loadingMore ? 'Loading…' : 'Load more'}
            </button>
          )}
        </div>
      )}
    </section>
  );
}

export function JobsTableView({
  rows,
  integrationNames,
  onJobChanged,
}: {
  rows: readonly JobRow[];
  integrationNames: ReadonlyMap<string, string>;
  onJobChanged?: (job: JobRow) => void;
}) {
  const now = useNow(1000);
  const [actionError, setActionError] = useState<{ jobId: string; error: CombinedError } | null>(null);
  return (
    <>
      {actionError && (
        <ErrorMessage
          error={actionError.error}
          title={`Action on job ${shortId(actionError.jobId)} failed`}
        />
      )}
      <div className="table-scroll">
        <table className="jobs-table">
          <thead>
            <tr>
              <th scope="col">Job</th>
              <th scope="col">Integration</th>
              <th scope="col">Type</th>
              <th scope="col">Priority</th>
              <th scope="col">Queue</th>
              <th scope="col">Status</th>
              <th scope="col" className="col-progress">
                Progress
              </th>
              <th scope="col">Created</th>
              <th scope="col">Duration</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((job) => (
              <JobTableRow
                key={job.id}
                job={job}
                now={now}
                integrationName={job.integrationId ? integrationNames.get(job.integrationId) : undefined}
                onJobChanged={onJobChanged}
                onError={(error) => job.id && setActionError(error ? { jobId: job.id, error } : null)}
              />
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function JobTableRow({
  job,
  now,
  integrationName,
  onJobChanged,
  onError,
}: {
  job: JobRow;
  now: number;
  integrationName: string | undefined;
  onJobChanged: ((job: JobRow) => void) | undefined;
  onError: (error: CombinedError | null) => void;
}) {
  const id = job.id ?? '';
  return (
    <tr
      data-job-id={id}
      data-status={job.status ?? ''}
      className={isFinished(job.status) ? 'row-settled' : ''}
    >
      <td data-label="Job">
        <Link to={routes.job(id)} className="mono" aria-label={`Job ${id}`}>
          {shortId(id)}
        </Link>
      </td>
      <td data-label="Integration">
        {integrationName ?? <span className="mono muted">{shortId(job.integrationId)}</span>}
      </td>
      <td data-label="Type">{enumLabel(job.syncType)}</td>
      <td data-label="Priority">
        <span className={`priority priority-${(job.priority ?? '').toLowerCase()}`}>
          {enumLabel(job.priority)}
        </span>
      </td>
      <td data-label="Queue" className="mono">
        {queueLabel(job.queue)}
      </td>
      <td data-label="Status" className="cell-status">
        <div className="status-cell">
          <StatusBadge status={job.status} cancelRequested={job.cancelRequestedAt != null} />
          {job.error?.code && job.error.code !== job.status && (
            <span className="row-error" title={job.error.message ?? undefined}>
              {job.error.code}
            </span>
          )}
        </div>
      </td>
      <td data-label="Progress" className="col-progress">
        <ProgressBar
          progress={job.progress}
          status={job.status}
          processed={job.processedItems}
          total={job.totalItems}
          label={`Progress of job ${shortId(id)}`}
        />
      </td>
      <td data-label="Created" title={job.createdAt ?? undefined}>
        {formatRelative(job.createdAt, now)}
      </td>
      <td data-label="Duration">{job.startedAt ? formatElapsed(job.startedAt, job.finishedAt, now) : '—'}</td>
      <td data-label="Actions" className="cell-actions">
        <JobRowActions job={job} onJobChanged={onJobChanged} onError={onError} />
      </td>
    </tr>
  );
}

function JobRowActions({
  job,
  onJobChanged,
  onError,
}: {
  job: JobRow;
  onJobChanged: ((job: JobRow) => void) | undefined;
  onError: (error: CombinedError | null) => void;
}) {
  const [cancelState, cancel] = useMutation(CancelSyncJobMutation);
  const [retryState, retry] = useMutation(RetrySyncJobMutation);
  const id = job.id;
  if (!id) return null;
  const label = shortId(id);
  if ((job.status === 'QUEUED' || job.status === 'RUNNING') && !job.cancelRequestedAt) {
    return (
      <button
        type="button"
        className="button-small button-danger"
        disabled={cancelState.fetching}
        aria-label={`Cancel job ${label}`}
        onClick={() =>
          void cancel({ id }).then((result) => {
            onError(result.error ?? null);
            if (result.data?.cancelSyncJob) onJobChanged?.(result.data.cancelSyncJob);
          })
        }
      >
        Cancel
      </button>
    );
  }
  if (job.status === 'FAILED' || job.status === 'CANCELLED') {
    return (
      <button
        type="button"
        className="button-small"
        disabled={retryState.fetching}
        aria-label={`Retry job ${label}`}
        onClick={() =>
          void retry({ id }).then((result) => {
            onError(result.error ?? null);
            const created = result.data?.retrySyncJob?.job;
            if (created) onJobChanged?.(created);
          })
        }
      >
        Retry
      </button>
    );
  }
  return null;
}
