/**
 * What runs right now: `jobs(filter: {status: [RUNNING]})` once, then every `jobEvents` payload through the pure
 * reducer in running-jobs.ts (jobs join when they start, bars move, jobs leave when they end). After a reconnect
 * the list is read again, since events sent while the socket was down are gone.
 */
import type { CombinedError } from '@urql/core';
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { useClient, useMutation } from 'urql';
import { useConnection } from '../app/connection-context.tsx';
import { Link, routes } from '../app/router.tsx';
import { enumLabel, queueLabel } from '../graphql/enums.ts';
import { fetchOnce } from '../graphql/fetch-once.ts';
import { useSubscriptionEvents } from '../graphql/use-subscription-events.ts';
import { CancelSyncJobMutation } from '../jobs/job-operations.ts';
import { ErrorMessage } from '../ui/ErrorMessage.tsx';
import { formatDateTime, formatElapsed, shortId } from '../ui/format.ts';
import { ProgressBar } from '../ui/ProgressBar.tsx';
import { EmptyState, Loading } from '../ui/states.tsx';
import { StatusBadge } from '../ui/StatusBadge.tsx';
import { useNow } from '../ui/use-now.ts';
import { MonitorJobEventsSubscription, RunningJobsQuery } from './monitor-operations.ts';
import { initialRunningJobs, runningJobsReducer, type RunningJob } from './running-jobs.ts';
import { workerLabel } from './WorkersPanel.tsx';

/** The most running jobs read at once; more are counted, and the ones that start later still join. */
export const RUNNING_LIMIT = 100;
const NO_VARIABLES = {};
/** How often the list is read again even when events flow. */
const RESYNC_MS = 30_000;

export function RunningJobsPanel({ integrationNames }: { integrationNames: ReadonlyMap<string, string> }) {
  const client = useClient();
  const [state, dispatch] = useReducer(runningJobsReducer, initialRunningJobs);
  const [error, setError] = useState<CombinedError | null>(null);
  const { generation } = useConnection();
  const pending = useRef<(() => void) | null>(null);

  const load = useCallback(() => {
    pending.current?.();
    dispatch({ type: 'readStarted' });
    pending.current = fetchOnce(client, RunningJobsQuery, { first: RUNNING_LIMIT }, (result) => {
      pending.current = null;
      setError(result.error ?? null);
      // A failed read leaves the list as it was (events keep it going); `reading` ends with the next page.
      const jobs = result.data?.jobs;
      if (jobs) dispatch({ type: 'pageLoaded', jobs: jobs.nodes ?? [], totalCount: jobs.totalCount ?? null });
    });
  }, [client]);

  // The first read, then a slow re-read in case an event was missed (the list has no other way to heal).
  useEffect(() => {
    load();
    const timer = setInterval(load, RESYNC_MS);
    return () => {
      clearInterval(timer);
      pending.current?.();
      pending.current = null;
    };
  }, [load]);

  // A reconnect (not the first connect): events sent meanwhile are lost, so read the list again.
  const seenGeneration = useRef(generation);
  useEffect(() => {
    const previous = seenGeneration.current;
    seenGeneration.current = generation;
    if (previous === 0 || generation <= previous) return;
    load();
  }, [generation, load]);

  const { error: liveError } = useSubscriptionEvents(MonitorJobEventsSubscription, NO_VARIABLES, (data) => {
    const job = data.jobEvents?.job;
    if (job) dispatch({ type: 'jobChanged', job });
  });

  const count = state.totalCount ?? state.jobs.length;
  return (
    <section className="panel" aria-labelledby="running-title" aria-busy={!state.loaded}>
      <header className="panel-header">
        <h2 id="running-title">Running jobs</h2>
        {state.loaded && (
          <p className="muted small" aria-live="polite">
            {count > state.jobs.length
              ? `${state.jobs.length.toLocaleString()} of ${count.toLocaleString()} shown`
              : `${count.toLocaleString()} running`}
          </p>
        )}
      </header>
      <ErrorMessage error={error} title="Could not load running jobs" />
      <ErrorMessage error={liveError} title="Live job updates failed" />
      {!state.loaded && !error && <Loading label="Loading running jobs…" />}
      {state.loaded && state.jobs.length === 0 && (
        <EmptyState title="Nothing is running">
          Jobs show up here, with their progress, as soon as a worker starts them.
        </EmptyState>
      )}
      {state.jobs.length > 0 && (
        <RunningJobsTable
          jobs={state.jobs}
          integrationNames={integrationNames}
          onJobChanged={(job) => dispatch({ type: 'jobChanged', job })}
        />
      )}
    </section>
  );
}

function RunningJobsTable({
  jobs,
  integrationNames,
  onJobChanged,
}: {
  jobs: readonly RunningJob[];
  integrationNames: ReadonlyMap<string, string>;
  onJobChanged: (job: Partial<RunningJob> & Pick<RunningJob, 'id'>) => void;
}) {
  const now = useNow(1000);
  const [actionError, setActionError] = useState<{ jobId: string; error: CombinedError } | null>(null);
  return (
    <>
      {actionError && (
        <ErrorMessage
          error={actionError.error}
          title={`Could not cancel job ${shortId(actionError.jobId)}`}
        />
      )}
      <div className="table-scroll">
        <table className="jobs-table running-table" aria-label="Running jobs">
          <thead>
            <tr>
              <th scope="col">Job</th>
              <th scope="col">Integration</th>
              <th scope="col">Type</th>
              <th scope="col">Queue</th>
              <th scope="col">Worker</th>
              <th scope="col">Status</th>
              <th scope="col" className="col-progress">
                Progress
              </th>
              <th scope="col">Running for</th>
              <th scope="col">Attempt</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {jobs.map((job) => {
              const id = job.id ?? '';
              return (
                <tr key={id} data-job-id={id} data-status={job.status ?? ''}>
                  <td data-label="Job">
                    <Link to={routes.job(id)} className="mono" aria-label={`Job ${id}`}>
                      {shortId(id)}
                    </Link>
                  </td>
                  <td data-label="Integration">
                    {(job.integrationId && integrationNames.get(job.integrationId)) ?? (
                      <span className="mono muted">{shortId(job.integrationId)}</span>
                    )}
                  </td>
                  <td data-label="Type">{enumLabel(job.syncType)}</td>
                  <td data-label="Queue" className="mono">
                    {queueLabel(job.queue)}
                  </td>
                  <td data-label="Worker" className="mono" title={job.workerId ?? undefined}>
                    {workerLabel(job.workerId)}
                  </td>
                  <td data-label="Status" className="cell-status">
                    <div className="status-cell">
                      <StatusBadge status={job.status} cancelRequested={job.cancelRequestedAt != null} />
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
                  <td data-label="Running for" title={formatDateTime(job.startedAt)}>
                    {formatElapsed(job.startedAt, null, now)}
                  </td>
                  <td data-label="Attempt">
                    {job.attempts ?? 0} of {job.maxAttempts ?? '?'}
                  </td>
                  <td data-label="Actions" className="cell-actions">
                    <CancelButton
                      job={job}
                      onJobChanged={onJobChanged}
                      onError={(error) => setActionError(error ? { jobId: id, error } : null)}
                    />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}

function CancelButton({
  job,
  onJobChanged,
  onError,
}: {
  job: RunningJob;
  onJobChanged: (job: Partial<RunningJob> & Pick<RunningJob, 'id'>) => void;
  onError: (error: CombinedError | null) => void;
}) {
  const [state, cancel] = useMutation(CancelSyncJobMutation);
  const id = job.id;
  if (!id || job.cancelRequestedAt) return null;
  return (
    <button
      type="button"
      className="button-small button-danger"
      disabled={state.fetching}
      aria-label={`Cancel job ${shortId(id)}`}
      onClick={() =>
        void cancel({ id }).then((result) => {
          onError(result.error ?? null);
          if (result.data?.cancelSyncJob) onJobChanged(result.data.cancelSyncJob);
        })
      }
    >
      {state.fetching ? 'Cancelling…' : 'Cancel'}
    </button>
  );
}
