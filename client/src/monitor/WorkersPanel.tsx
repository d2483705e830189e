/**
 * The worker processes, one card each: who they are, what they take from (queue × concurrency, paused or not),
 * what they run now, their totals since start, and when they last beat. Offline ones (no beat for 15 s) stay,
 * greyed, until the registry forgets them.
 */
import type { CombinedError } from '@urql/core';
import type { ReactNode } from 'react';
import { Link, routes } from '../app/router.tsx';
import type { WorkerFieldsFragment } from '../gql/graphql.ts';
import { queueLabel } from '../graphql/enums.ts';
import { ErrorMessage } from '../ui/ErrorMessage.tsx';
import { formatCount, formatDateTime, formatRelative, shortId } from '../ui/format.ts';
import { EmptyState, Loading } from '../ui/states.tsx';
import { useNow } from '../ui/use-now.ts';

export type Worker = WorkerFieldsFragment;

/** `host:pid:random` → `host:pid`: enough to tell workers apart on screen (the full id is the tooltip). */
export function workerLabel(id: string | null | undefined): string {
  if (!id) return '—';
  const parts = id.split(':');
  return parts.length >= 3 ? parts.slice(0, -1).join(':') : id;
}

export function WorkersPanel({
  workers,
  error,
  liveError,
}: {
  workers: readonly Worker[] | null;
  error: CombinedError | undefined;
  liveError: CombinedError | null;
}) {
  const now = useNow(1000);
  const online = workers?.filter((w) => w.online).length ?? 0;
  const offline = (workers?.length ?? 0) - online;
  return (
    <section className="panel" aria-labelledby="workers-title">
      <header className="panel-header">
        <h2 id="workers-title">Workers</h2>
        {workers && (
          <p className="legend" aria-live="polite">
            <span className="legend-item legend-online">{online} online</span>
            <span className="legend-item legend-offline">{offline} offline</span>
          </p>
        )}
      </header>
      <ErrorMessage error={workers ? null : error} title="Could not load workers" />
      <ErrorMessage error={liveError} title="Live worker updates failed" />
      {!workers && !error && <Loading label="Loading workers…" />}
      {workers && workers.length === 0 && (
        <EmptyState title="No worker seen in the last minute">
          Jobs wait in their queues until one starts: <code>npm run dev:worker</code> (or{' '}
          <code>npm start</code>
          ).
        </EmptyState>
      )}
      {workers && workers.length > 0 && (
        <ul className="worker-list" aria-label="Workers">
          {workers.map((worker) => (
            <li key={worker.id}>
              <WorkerCard worker={worker} now={now} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function WorkerCard({ worker, now }: { worker: Worker; now: number }) {
  const id = worker.id ?? '';
  const online = worker.online === true;
  const queues = (worker.queues ?? []).filter((q) => (q.concurrency ?? 0) > 0);
  const running = worker.running ?? [];
  return (
    <article
      className={`worker-card${online ? '' : ' worker-offline'}`}
      aria-label={`Worker ${workerLabel(id)}`}
      data-worker-id={id}
      data-online={String(online)}
      data-last-seen={worker.lastSeenAt ?? ''}
    >
      <header className="worker-header">
        <h3 className="mono worker-id" title={id}>
          {workerLabel(id)}
        </h3>
        <div className="worker-badges">
          {worker.state === 'STOPPING' && (
            <span
              className="badge badge-cancelling"
              title="Received SIGTERM: finishes what it runs, takes nothing"
            >
              Stopping
            </span>
          )}
          <span
            className={`badge ${online ? 'badge-online' : 'badge-offline'}`}
            data-worker-status={online ? 'online' : 'offline'}
          >
            {online ? 'Online' : 'Offline'}
          </span>
        </div>
      </header>
      <dl className="worker-facts">
        <Fact label="Host">
          <span className="mono">{worker.host ?? '—'}</span>
        </Fact>
        <Fact label="PID">
          <span className="mono">{worker.pid ?? '—'}</span>
        </Fact>
        <Fact label="Version">
          <span className="mono">{worker.version ?? '—'}</span>
        </Fact>
        <Fact label="Processed" name="processed">
          {formatCount(worker.processed)}
        </Fact>
        <Fact label="Failed" name="failed" warn={(worker.failed ?? 0) > 0}>
          {formatCount(worker.failed)}
        </Fact>
        <Fact label="Succeeded" name="succeeded">
          {formatCount(worker.succeeded)}
        </Fact>
        <Fact label="Started">
          <span title={formatDateTime(worker.startedAt)}>{formatRelative(worker.startedAt, now)}</span>
        </Fact>
        <Fact label="Last seen" name="last-seen" warn={!online}>
          <time dateTime={worker.lastSeenAt ?? undefined} title={formatDateTime(worker.lastSeenAt)}>
            {formatRelative(worker.lastSeenAt, now)}
          </time>
        </Fact>
      </dl>
      <div className="worker-row">
        <span className="worker-row-label">Queues</span>
        {queues.length === 0 ? (
          <span className="muted">none</span>
        ) : (
          <ul className="queue-chips" aria-label={`Queues of worker ${workerLabel(id)}`}>
            {queues.map((q) => (
              <li
                key={q.name}
                className={`queue-chip${q.paused ? ' queue-chip-paused' : ''}`}
                data-worker-queue={q.name ?? ''}
                data-paused={String(q.paused === true)}
                title={
                  q.paused
                    ? `Paused: this worker takes nothing from ${queueLabel(q.name)}`
                    : `Up to ${q.concurrency} job(s) of ${queueLabel(q.name)} at once`
                }
              >
                <span className="mono">{queueLabel(q.name)}</span>
                <span className="queue-chip-count">×{q.concurrency}</span>
                {q.paused && <span className="queue-chip-state">paused</span>}
              </li>
            ))}
          </ul>
        )}
      </div>
      <div className="worker-row">
        <span className="worker-row-label">Running</span>
        {running.length === 0 ? (
          <span className="muted">{online ? 'idle' : '—'}</span>
        ) : (
          <ul className="worker-jobs" aria-label={`Jobs running on worker ${workerLabel(id)}`}>
            {running.map((job) =>
              job.jobId ? (
                <li key={job.jobId}>
                  <Link to={routes.job(job.jobId)} className="mono" aria-label={`Job ${job.jobId}`}>
                    {shortId(job.jobId)}
                  </Link>
                  {job.queue && <span className="muted small"> {queueLabel(job.queue)}</span>}
                </li>
              ) : null,
            )}
          </ul>
        )}
      </div>
    </article>
  );
}

function Fact({
  label,
  name,
  warn = false,
  children,
}: {
  label: string;
  name?: string;
  warn?: boolean;
  children: ReactNode;
}) {
  return (
    <div className={`figure${warn ? ' figure-warn' : ''}`} data-figure={name}>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}
