/**
 * What is queued, running and failing, per queue: `queueStats` for the first paint, then `queueStatsUpdated`
 * (the server pushes the current figures first, then each change, at most once a second).
 */
import { useState } from 'react';
import { useQuery } from 'urql';
import type { JobStatus, QueueName, QueueStatsFieldsFragment } from '../gql/graphql.ts';
import { enumLabel, JOB_STATUSES, QUEUE_NAMES, queueLabel } from '../graphql/enums.ts';
import { useSubscriptionEvents } from '../graphql/use-subscription-events.ts';
import { ErrorMessage } from '../ui/ErrorMessage.tsx';
import { formatCount, formatSeconds } from '../ui/format.ts';
import { Loading } from '../ui/states.tsx';
import { QueueStatsQuery, QueueStatsSubscription } from './queue-operations.ts';

type Stats = QueueStatsFieldsFragment;
type Figures = NonNullable<Stats['queues']>[number];

/** The more recent of two snapshots (a slow query answer must not overwrite a newer pushed one). */
export function newerStats(a: Stats | null | undefined, b: Stats | null | undefined): Stats | null {
  if (!a) return b ?? null;
  if (!b) return a;
  return Date.parse(b.generatedAt ?? '') >= Date.parse(a.generatedAt ?? '') ? b : a;
}

const TOTAL_KEYS = {
  QUEUED: 'queued',
  RUNNING: 'running',
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
} as const satisfies Record<JobStatus, keyof NonNullable<Stats['totals']>>;

export function QueueOverview({
  onPickStatus,
  onPickQueue,
  activeStatuses,
  activeQueues,
}: {
  onPickStatus: (status: JobStatus) => void;
  onPickQueue: (queue: QueueName) => void;
  activeStatuses: readonly JobStatus[];
  activeQueues: readonly QueueName[];
}) {
  const [query] = useQuery({ query: QueueStatsQuery });
  const [pushed, setPushed] = useState<Stats | null>(null);
  const { error: liveError } = useSubscriptionEvents(QueueStatsSubscription, {}, (data) => {
    if (data.queueStatsUpdated) setPushed(data.queueStatsUpdated);
  });
  const stats = newerStats(query.data?.queueStats, pushed);

  if (!stats) {
    return (
      <section aria-label="Queues">
        <ErrorMessage error={query.error ?? liveError} title="Could not load queue stats" />
        {!query.error && <Loading label="Loading queue stats…" />}
      </section>
    );
  }

  const byName = new Map((stats.queues ?? []).map((q) => [q.name, q]));
  return (
    <section aria-label="Queues" className="overview">
      <ErrorMessage error={liveError} title="Live queue stats failed" />
      <div className="totals" role="group" aria-label="Jobs by status">
        {JOB_STATUSES.map((status) => (
          <button
            key={status}
            type="button"
            className={`total total-${status.toLowerCase()}`}
            aria-pressed={activeStatuses.includes(status)}
            onClick={() => onPickStatus(status)}
            data-total={status}
          >
            <span className="total-count">{formatCount(stats.totals?.[TOTAL_KEYS[status]])}</span>
            <span className="total-label">{enumLabel(status)}</span>
          </button>
        ))}
      </div>
      <ul className="queue-cards" aria-label="Queues">
        {QUEUE_NAMES.map((name) => (
          <li key={name}>
            <QueueCard
              name={name}
              figures={byName.get(name)}
              active={activeQueues.includes(name)}
              onPick={() => onPickQueue(name)}
            />
          </li>
        ))}
      </ul>
    </section>
  );
}

function QueueCard({
  name,
  figures,
  active,
  onPick,
}: {
  name: QueueName;
  figures: Figures | undefined;
  active: boolean;
  onPick: () => void;
}) {
  const failed = figures?.failedLastHour ?? 0;
  const busy = (figures?.active ?? 0) > 0;
  return (
    <article
      className={`queue-card${busy ? ' queue-busy' : ''}${failed > 0 ? ' queue-failing' : ''}${figures?.paused ? ' queue-paused' : ''}`}
      aria-label={`Queue ${queueLabel(name)}`}
      data-queue={name}
    >
      <div className="queue-card-header">
        <h3>
          <button
            type="button"
            className="queue-name mono"
            aria-pressed={active}
            title={active ? 'Showing this queue in the table; click to stop' : 'Show the jobs of this queue'}
            aria-label={`Show jobs of queue ${queueLabel(name)}`}
            onClick={onPick}
          >
            {queueLabel(name)}
          </button>
        </h3>
        {figures?.paused && (
          <span
            className="badge badge-paused"
            title="No worker takes jobs from this queue until it is resumed"
          >
            Paused
          </span>
        )}
      </div>
      <dl className="queue-figures">
        <Figure label="Waiting" name="waiting" value={figures?.waiting} />
        <Figure label="Active" name="active" value={figures?.active} />
        <Figure label="Delayed" name="delayed" value={figures?.delayed} />
        <Figure label="Failed 1h" name="failed" value={figures?.failedLastHour} warn={failed > 0} />
        <Figure label="Done 1h" name="completed" value={figures?.completedLastHour} />
        <div className="figure" data-figure="oldest" title="How long the oldest waiting job has waited">
          <dt>Oldest</dt>
          <dd>{formatSeconds(figures?.oldestWaitingSeconds)}</dd>
        </div>
      </dl>
    </article>
  );
}

export function Figure({
  label,
  name,
  value,
  warn = false,
}: {
  label: string;
  name: string;
  value: number | null | undefined;
  warn?: boolean;
}) {
  return (
    <div className={`figure${warn ? ' figure-warn' : ''}`} data-figure={name}>
      <dt>{label}</dt>
      <dd>{formatCount(value)}</dd>
    </div>
  );
}
