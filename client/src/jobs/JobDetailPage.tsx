/**
 * One job: every field, its timeline, its error or result, and what can be done with it. The `job(id)` answer is
 * kept current by `jobUpdated(id)` (snapshot first, then every change, until the job ends); the newer version wins.
 */
import { useId, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link, routes, useNavigate } from '../app/router.tsx';
import type { JobDetailFragment } from '../gql/graphql.ts';
import { enumLabel, isFinished, queueLabel } from '../graphql/enums.ts';
import { JobItemsSection } from '../ledger/JobItemsSection.tsx';
import { useSubscriptionEvents } from '../graphql/use-subscription-events.ts';
import { ErrorMessage } from '../ui/ErrorMessage.tsx';
import {
  formatDateTime,
  formatElapsed,
  formatRelative,
  formatTime,
  shortId,
  toDateTimeLocal,
} from '../ui/format.ts';
import { ProgressBar } from '../ui/ProgressBar.tsx';
import { EmptyState, Loading } from '../ui/states.tsx';
import { StatusBadge } from '../ui/StatusBadge.tsx';
import { useNow } from '../ui/use-now.ts';
import {
  CancelSyncJobMutation,
  JobDetailQuery,
  JobUpdatedSubscription,
  RescheduleSyncJobMutation,
  RetrySyncJobMutation,
} from './job-operations.ts';

type Job = JobDetailFragment;

function newerJob(a: Job | null | undefined, b: Job | null | undefined): Job | null {
  if (!a) return b ?? null;
  if (!b) return a;
  return (b.version ?? -1) > (a.version ?? -1) ? b : a;
}

export function JobDetailPage({ id }: { id: string }) {
  const [query] = useQuery({ query: JobDetailQuery, variables: { id } });
  const [pushed, setPushed] = useState<{ id: string; job: Job } | null>(null);
  const { error: liveError } = useSubscriptionEvents(JobUpdatedSubscription, { id }, (data) => {
    const job = data.jobUpdated;
    if (job) setPushed((prev) => ({ id, job: newerJob(prev?.id === id ? prev.job : null, job) ?? job }));
  });
  const job = newerJob(query.data?.job, pushed?.id === id ? pushed.job : null);

  return (
    <div className="page job-page">
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <Link to={routes.sync()}>Sync jobs</Link> <span aria-hidden="true">›</span>{' '}
        <span className="mono">{shortId(id)}</span>
      </nav>
      {!job && query.fetching && <Loading label="Loading job…" />}
      {!job && !query.fetching && (
        <>
          <ErrorMessage error={query.error} title="Could not load the job" />
          {!query.error && (
            <EmptyState title="No such job">
              <p>
                <code className="error-code">JOB_NOT_FOUND</code> There is no job with id{' '}
                <span className="mono">{id}</span>.
              </p>
            </EmptyState>
          )}
        </>
      )}
      {job && <JobDetail job={job} liveError={liveError} />}
    </div>
  );
}

function JobDetail({ job, liveError }: { job: Job; liveError: Parameters<typeof ErrorMessage>[0]['error'] }) {
  const now = useNow(1000);
  const id = job.id ?? '';
  const cancelling = job.cancelRequestedAt != null && !isFinished(job.status);
  return (
    <article className="job-detail" data-job-id={id} data-status={job.status ?? ''}>
      <header className="job-header">
        <div>
          <h1>
            {enumLabel(job.syncType)} sync <span className="mono muted">{shortId(id)}</span>
          </h1>
          <p className="muted">
            {job.integration?.name ?? 'Unknown integration'} · {enumLabel(job.priority)} priority ·{' '}
            <span className="mono">{queueLabel(job.queue)}</span>
          </p>
        </div>
        <StatusBadge status={job.status} cancelRequested={job.cancelRequestedAt != null} />
      </header>
      <ErrorMessage error={liveError} title="Live updates for this job failed" />
      <ProgressBar
        progress={job.progress}
        status={job.status}
        processed={job.processedItems}
        total={job.totalItems}
        label="Job progress"
      />
      {job.message && <p className="job-message">{job.message}</p>}
      {cancelling && (
        <p className="notice" role="status">
          Cancelling… the worker stops at its next checkpoint.
        </p>
      )}
      <JobActions job={job} />
      {job.error && (
        <section className="error-box" aria-label="Error">
          <strong className="error-title">
            Failed{job.error.attempt ? ` on attempt ${job.error.attempt}` : ''}
            {job.error.retryable === false ? ' (not retryable)' : ''}
          </strong>
          <p>
            <code className="error-code">{job.error.code}</code> {job.error.message}
          </p>
        </section>
      )}
      <div className="detail-grid">
        <section className="panel" aria-labelledby="fields-title">
          <h2 id="fields-title">Details</h2>
          <dl className="fields">
            <Field label="Id">
              <span className="mono">{id}</span>
            </Field>
            <Field label="Integration">
              {job.integration ? (
                <Link to={`${routes.sync()}?integration=${encodeURIComponent(job.integration.id)}`}>
                  {job.integration.name ?? job.integration.id}
                </Link>
              ) : (
                <span className="mono">{job.integrationId}</span>
              )}
            </Field>
            <Field label="Status">{job.status}</Field>
            <Field label="Type">{enumLabel(job.syncType)}</Field>
            <Field label="Priority">{enumLabel(job.priority)}</Field>
            <Field label="Queue">
              <span className="mono">{queueLabel(job.queue)}</span>
            </Field>
            <Field label="Origin">{job.origin ?? '—'}</Field>
            <Field label="Attempts">
              {job.attempts ?? 0} of {job.maxAttempts ?? '?'}
            </Field>
            <Field label="Items">
              {(job.processedItems ?? 0).toLocaleString()} processed
              {job.totalItems != null ? ` of ${job.totalItems.toLocaleString()}` : ''}
              {job.failedItems ? `, ${job.failedItems.toLocaleString()} failed` : ''}
            </Field>
            <Field label="Options">
              {job.options
                ? [
                    job.options.fullSync ? 'full sync' : 'incremental',
                    `batch ${job.options.batchSize ?? '—'}`,
                    job.options.dryRun ? 'dry run' : null,
                  ]
                    .filter(Boolean)
                    .join(', ')
                : '—'}
            </Field>
            <Field label="Created">
              {formatDateTime(job.createdAt)}{' '}
              <span className="muted">({formatRelative(job.createdAt, now)})</span>
            </Field>
            <Field label="Run at">{formatDateTime(job.runAt)}</Field>
            <Field label="Started">{formatDateTime(job.startedAt)}</Field>
            <Field label="Finished">{formatDateTime(job.finishedAt)}</Field>
            <Field label="Duration">
              {job.startedAt ? formatElapsed(job.startedAt, job.finishedAt, now) : '—'}
            </Field>
            <Field label="Cancel requested">{formatDateTime(job.cancelRequestedAt)}</Field>
            <Field label="Worker">
              <span className="mono">{job.workerId ?? '—'}</span>
            </Field>
            <Field label="Idempotency key">
              <span className="mono">{job.idempotencyKey ?? '—'}</span>
            </Field>
            {job.retryOf && (
              <Field label="Retry of">
                <Link to={routes.job(job.retryOf)} className="mono">
                  {shortId(job.retryOf)}
                </Link>
              </Field>
            )}
            <Field label="Version">{job.version ?? '—'}</Field>
          </dl>
        </section>
        <section className="panel" aria-labelledby="timeline-title">
          <h2 id="timeline-title">Timeline</h2>
          <Timeline events={job.events ?? []} />
        </section>
      </div>
      {job.integration?.platform && job.integration.platform !== 'SANDBOX' && (
        <JobItemsSection jobId={id} status={job.status} failedItems={job.failedItems} version={job.version} />
      )}
      {job.result != null && (
        <section className="panel" aria-labelledby="result-title">
          <h2 id="result-title">Result</h2>
          <pre className="json">{JSON.stringify(job.result, null, 2)}</pre>
        </section>
      )}
    </article>
  );
}

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="field-row">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function Timeline({ events }: { events: NonNullable<Job['events']> }) {
  if (events.length === 0) return <p className="muted">Nothing recorded yet.</p>;
  return (
    <ol className="timeline" aria-label="Job timeline">
      {events.map((e, i) => (
        <li key={i} className={`timeline-item timeline-${(e.kind ?? '').toLowerCase()}`}>
          <time dateTime={e.at ?? undefined} title={formatDateTime(e.at)}>
            {formatTime(e.at)}
          </time>
          <span className="timeline-kind">{enumLabel(e.kind)}</span>
          <span className="timeline-body">
            {e.status && <span className="muted">{e.status}</span>}
            {e.attempt ? <span className="muted"> · attempt {e.attempt}</span> : null}
            {e.kind === 'PROGRESS' && e.progress != null && (
              <span className="muted"> · {Math.round(e.progress)}%</span>
            )}
            {e.message && <span className="timeline-message"> {e.message}</span>}
            {e.error && (
              <span className="timeline-error">
                {' '}
                <code className="error-code">{e.error.code}</code> {e.error.message}
              </span>
            )}
          </span>
        </li>
      ))}
    </ol>
  );
}

function JobActions({ job }: { job: Job }) {
  const navigate = useNavigate();
  const rescheduleId = useId();
  const [cancelState, cancel] = useMutation(CancelSyncJobMutation);
  const [retryState, retry] = useMutation(RetrySyncJobMutation);
  const [rescheduleState, reschedule] = useMutation(RescheduleSyncJobMutation);
  const [runAt, setRunAt] = useState(() => toDateTimeLocal(new Date(Date.now() + 10 * 60_000)));
  const [notice, setNotice] = useState<string | null>(null);
  const id = job.id;
  if (!id) return null;
  const status = job.status;
  const canCancel = (status === 'QUEUED' || status === 'RUNNING') && !job.cancelRequestedAt;
  const canRetry = status === 'FAILED' || status === 'CANCELLED';
  const canReschedule = status === 'QUEUED' || status === 'FAILED' || status === 'CANCELLED';

  const submitReschedule = (event: FormEvent) => {
    event.preventDefault();
    const at = new Date(runAt);
    void reschedule({ id, runAt: Number.isNaN(at.getTime()) ? runAt : at.toISOString() }).then((result) => {
      const next = result.data?.rescheduleSyncJob?.job;
      if (!next?.id) return;
      if (next.id !== id) navigate(routes.job(next.id));
      else setNotice(`Rescheduled to ${formatDateTime(next.runAt)}`);
    });
  };

  return (
    <section className="actions" aria-label="Actions">
      <div className="action-buttons">
        {canCancel && (
          <button
            type="button"
            className="button-danger"
            disabled={cancelState.fetching}
            onClick={() => void cancel({ id })}
          >
            {cancelState.fetching ? 'Cancelling…' : 'Cancel job'}
          </button>
        )}
        {canRetry && (
          <button
            type="button"
            className="button-primary"
            disabled={retryState.fetching}
            onClick={() =>
              void retry({ id }).then((result) => {
                const next = result.data?.retrySyncJob?.job?.id;
                if (next) navigate(routes.job(next));
              })
            }
          >
            {retryState.fetching ? 'Retrying…' : 'Retry'}
          </button>
        )}
      </div>
      {canReschedule && (
        <form className="reschedule" onSubmit={submitReschedule}>
          <label htmlFor={rescheduleId}>{status === 'QUEUED' ? 'Run at' : 'Retry at'}</label>
          <input
            id={rescheduleId}
            type="datetime-local"
            value={runAt}
            onChange={(e) => setRunAt(e.target.value)}
            required
          />
          <button type="submit" disabled={rescheduleState.fetching}>
            Reschedule
          </button>
        </form>
      )}
      {notice && !rescheduleState.error && (
        <p className="success" role="status">
          {notice}
        </p>
      )}
      <ErrorMessage error={cancelState.error} title="Cancel failed" />
      <ErrorMessage error={retryState.error} title="Retry failed" />
      <ErrorMessage error={rescheduleState.error} title="Reschedule failed" />
    </section>
  );
}
