/**
 * One card per queue: its figures (`queueStatsUpdated`, pushed), how it performs (`queuePerformance`: throughput
 * over 1/5/15 minutes, failure rate, wait and run p50/p95/p99) and jobs finished per minute (`throughput`), read
 * every few seconds and soon after a job finishes; and its controls: Pause / Resume, and Purge after a
 * confirmation that names the queue and how many waiting jobs it cancels.
 */
import type { CombinedError } from '@urql/core';
import { useCallback, useMemo, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link, routes } from '../app/router.tsx';
import type {
  QueueMonitorQuery as QueueMonitorData,
  QueueName,
  QueueStatsFieldsFragment,
} from '../gql/graphql.ts';
import { QUEUE_NAMES, queueLabel } from '../graphql/enums.ts';
import { useRefresh } from '../graphql/use-refresh.ts';
import { useSubscriptionEvents } from '../graphql/use-subscription-events.ts';
import { JobFinishedSubscription } from '../jobs/job-operations.ts';
import { Figure, newerStats } from '../queues/QueueOverview.tsx';
import { QueueStatsSubscription } from '../queues/queue-operations.ts';
import { ThroughputBars, type ThroughputPoint } from '../queues/ThroughputChart.tsx';
import { ConfirmDialog } from '../ui/ConfirmDialog.tsx';
import { ErrorMessage } from '../ui/ErrorMessage.tsx';
import { formatPercent, formatRate, formatSeconds } from '../ui/format.ts';
import { Loading } from '../ui/states.tsx';
import {
  PauseQueueMutation,
  PurgeQueueMutation,
  QueueMonitorQuery,
  ResumeQueueMutation,
} from './monitor-operations.ts';
import { consumersOf, consumersText, isPaused, type QueueControl } from './queue-control.ts';
import type { Worker } from './WorkersPanel.tsx';

type Figures = NonNullable<QueueStatsFieldsFragment['queues']>[number];
type Performance = NonNullable<QueueMonitorData['queuePerformance']>[number];
type ChartKey = Exclude<keyof QueueMonitorData, 'queueStats' | 'queuePerformance'>;

/** The alias of each queue's chart in QueueMonitorQuery; the typecheck fails when a queue has none. */
export const QUEUE_CHART_KEYS = {
  URGENT: 'urgent',
  HIGH_PRIORITY: 'highPriority',
  SYNC_PRODUCTS: 'syncProducts',
  SYNC_INVENTORY: 'syncInventory',
  SYNC_ORDERS: 'syncOrders',
  SYNC_BULK: 'syncBulk',
  DEFAULT: 'default',
  MAINTENANCE: 'maintenance',
} as const satisfies Record<QueueName, ChartKey>;

/** Window of the rates and percentiles (minutes), and of each queue's chart. */
export const PERFORMANCE_MINUTES = 15;
export const CHART_MINUTES = 30;
const REFRESH_MS = 5_000;
const MIN_GAP_MS = 2_000;
const FINISHED = { status: ['COMPLETED', 'FAILED'] as ('COMPLETED' | 'FAILED')[] };
const NO_VARIABLES = {};

export function QueuesPanel({ workers }: { workers: readonly Worker[] | null }) {
  const variables = useMemo(() => ({ minutes: PERFORMANCE_MINUTES, chartMinutes: CHART_MINUTES }), []);
  const [result, reexecute] = useQuery({ query: QueueMonitorQuery, variables });
  const refresh = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  const soon = useRefresh(refresh, REFRESH_MS, MIN_GAP_MS);
  useSubscriptionEvents(JobFinishedSubscription, { filter: FINISHED }, soon);

  const [pushed, setPushed] = useState<QueueStatsFieldsFragment | null>(null);
  const { error: liveError } = useSubscriptionEvents(QueueStatsSubscription, NO_VARIABLES, (data) => {
    if (data.queueStatsUpdated) setPushed(data.queueStatsUpdated);
  });
  const stats = newerStats(result.data?.queueStats, pushed);

  const [controls, setControls] = useState<ReadonlyMap<QueueName, QueueControl>>(new Map());
  const onControl = useCallback(
    (name: QueueName, control: QueueControl) => {
      setControls((prev) => new Map(prev).set(name, control));
      refresh();
    },
    [refresh],
  );

  const data = result.data;
  const figures = new Map((stats?.queues ?? []).map((q) => [q.name, q]));
  const performance = new Map((data?.queuePerformance ?? []).map((p) => [p.queue, p]));

  return (
    <section className="panel" aria-labelledby="queues-title">
      <header className="panel-header">
        <h2 id="queues-title">Queues</h2>
        <p className="legend">
          <span className="muted">
            Rates and times: last {PERFORMANCE_MINUTES} min · charts: last {CHART_MINUTES} min
          </span>
          <span className="legend-item legend-completed">completed</span>
          <span className="legend-item legend-failed">failed</span>
        </p>
      </header>
      <ErrorMessage error={result.error} title="Could not load queue performance" />
      <ErrorMessage error={liveError} title="Live queue stats failed" />
      {!stats && !result.error && <Loading label="Loading queues…" />}
      {stats && (
        <ul className="monitor-queues" aria-label="Queues">
          {QUEUE_NAMES.map((name) => {
            const f = figures.get(name);
            return (
              <li key={name}>
                <QueueMonitorCard
                  name={name}
                  figures={f}
                  paused={isPaused(f?.paused, stats.generatedAt, controls.get(name))}
                  performance={performance.get(name)}
                  chart={data?.[QUEUE_CHART_KEYS[name]] ?? null}
                  workers={workers}
                  onControl={onControl}
                  onPurged={refresh}
                />
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

type Action = 'pause' | 'resume' | 'purge';
const ACTION_TITLES: Record<Action, string> = {
  pause: 'Could not pause',
  resume: 'Could not resume',
  purge: 'Could not purge',
};

export function QueueMonitorCard({
  name,
  figures,
  paused,
  performance,
  chart,
  workers,
  onControl,
  onPurged,
}: {
  name: QueueName;
  figures: Figures | undefined;
  paused: boolean;
  performance: Performance | undefined;
  chart: readonly ThroughputPoint[] | null;
  workers: readonly Worker[] | null;
  onControl: (name: QueueName, control: QueueControl) => void;
  onPurged: () => void;
}) {
  const label = queueLabel(name);
  const [pauseState, pause] = useMutation(PauseQueueMutation);
  const [resumeState, resume] = useMutation(ResumeQueueMutation);
  const [purgeState, purge] = useMutation(PurgeQueueMutation);
  const [confirming, setConfirming] = useState(false);
  const [failure, setFailure] = useState<{ action: Action; error: CombinedError } | null>(null);
  const [purged, setPurged] = useState<number | null>(null);

  const waiting = figures?.waiting ?? 0;
  const delayed = figures?.delayed ?? 0;
  const toPurge = waiting + delayed;
  const failed = figures?.failedLastHour ?? 0;
  const consumers = consumersText(paused, consumersOf(name, workers));
  const switching = pauseState.fetching || resumeState.fetching;

  const setPaused = (next: boolean) => {
    setFailure(null);
    void (next ? pause({ name }) : resume({ name })).then((result) => {
      if (result.error) return setFailure({ action: next ? 'pause' : 'resume', error: result.error });
      const control =
        result.data && ('pauseQueue' in result.data ? result.data.pauseQueue : result.data.resumeQueue);
      onControl(name, {
        paused: control?.paused ?? next,
        changedAt: control?.changedAt ?? new Date().toISOString(),
      });
    });
  };

  const confirmPurge = () => {
    setFailure(null);
    setPurged(null);
    void purge({ name }).then((result) => {
      setConfirming(false);
      if (result.error) return setFailure({ action: 'purge', error: result.error });
      setPurged(result.data?.purgeQueue?.purged ?? 0);
      onPurged();
    });
  };

  return (
    <article
      className={`queue-monitor${paused ? ' queue-paused' : ''}${failed > 0 ? ' queue-failing' : ''}`}
      aria-label={`Queue ${label}`}
      data-queue={name}
      data-paused={String(paused)}
    >
      <header className="queue-monitor-header">
        <h3 className="mono">{label}</h3>
        {paused && (
          <span
            className="badge badge-paused"
            title="No worker takes jobs from this queue until it is resumed"
          >
            Paused
          </span>
        )}
      </header>
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
      <PerformanceTables label={label} performance={performance} />
      {chart && (
        <ThroughputBars
          points={chart}
          width={320}
          height={64}
          label={`Jobs of ${label} finished per minute`}
        />
      )}
      <p className={`queue-consumers small${consumers.settling ? ' settling' : ' muted'}`} data-consumers="">
        {consumers.text}
      </p>
      <div className="queue-actions">
        {paused ? (
          <button
            type="button"
            className="button-small button-primary"
            aria-label={`Resume queue ${label}`}
            disabled={switching}
            onClick={() => setPaused(false)}
          >
            {resumeState.fetching ? 'Resuming…' : 'Resume'}
          </button>
        ) : (
          <button
            type="button"
            className="button-small"
            aria-label={`Pause queue ${label}`}
            disabled={switching}
            onClick={() => setPaused(true)}
          >
            {pauseState.fetching ? 'Pausing…' : 'Pause'}
          </button>
        )}
        <button
          type="button"
          className="button-small button-danger"
          aria-label={`Purge queue ${label}`}
          aria-haspopup="dialog"
          onClick={() => setConfirming(true)}
        >
          Purge…
        </button>
      </div>
      <div className="queue-result" aria-live="polite">
        {purged !== null && (
          <p className="success" data-purged={purged}>
            Purged {label}: {purged.toLocaleString()} waiting job{purged === 1 ? '' : 's'} cancelled.{' '}
            {purged > 0 && (
              <Link to={routes.sync(`?status=CANCELLED&queue=${name}`)}>Show cancelled jobs</Link>
            )}
          </p>
        )}
      </div>
      {failure && <ErrorMessage error={failure.error} title={`${ACTION_TITLES[failure.action]} ${label}`} />}
      {confirming && (
        <ConfirmDialog
          title={`Purge queue ${label}?`}
          confirmLabel={
            purgeState.fetching
              ? 'Purging…'
              : toPurge > 0
                ? `Purge ${toPurge} job${toPurge === 1 ? '' : 's'}`
                : 'Purge'
          }
          danger
          busy={purgeState.fetching}
          onConfirm={confirmPurge}
          onCancel={() => setConfirming(false)}
        >
          <p>
            This cancels every waiting job of <strong className="mono">{label}</strong>:{' '}
            <strong data-purge-count={toPurge}>
              {toPurge === 0
                ? 'none is waiting right now'
                : `${toPurge.toLocaleString()} job${toPurge === 1 ? '' : 's'}`}
            </strong>
            {delayed > 0 && ` (${waiting.toLocaleString()} waiting, ${delayed.toLocaleString()} delayed)`}.
          </p>
          <p className="muted">
            Running jobs go on. Cancelled jobs can be retried one by one; the purge itself cannot be undone.
          </p>
        </ConfirmDialog>
      )}
    </article>
  );
}

/** Before the first answer: the server's windows, nothing measured. */
const NO_WINDOWS: NonNullable<Performance['throughput']> = [1, 5, 15].map((minutes) => ({
  minutes,
  completed: null,
  failed: null,
  completedPerMinute: null,
  failedPerMinute: null,
  failureRate: null,
}));

function PerformanceTables({ label, performance }: { label: string; performance: Performance | undefined }) {
  const windows = performance?.throughput ?? NO_WINDOWS;
  const timings = [
    { name: 'Wait', title: 'From queued (or its run-at) to started', value: performance?.waitSeconds },
    { name: 'Run', title: 'From started to finished', value: performance?.runSeconds },
  ];
  return (
    <div className="perf-grid">
      <table className="perf-table" data-perf="throughput">
        <caption className="visually-hidden">Throughput of {label}</caption>
        <thead>
          <tr>
            <th scope="col">Per min</th>
            {windows.map((w) => (
              <th key={w.minutes} scope="col">
                {w.minutes} min
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">Done</th>
            {windows.map((w) => (
              <td key={w.minutes} data-window={w.minutes} data-measure="completed">
                {formatRate(w.completedPerMinute)}
              </td>
            ))}
          </tr>
          <tr>
            <th scope="row">Failed</th>
            {windows.map((w) => (
              <td key={w.minutes}>{formatRate(w.failedPerMinute)}</td>
            ))}
          </tr>
          <tr>
            <th scope="row" title="failed / (completed + failed)">
              Failure
            </th>
            {windows.map((w) => (
              <td key={w.minutes} className={(w.failureRate ?? 0) > 0 ? 'perf-warn' : undefined}>
                {formatPercent(w.failureRate)}
              </td>
            ))}
          </tr>
        </tbody>
      </table>
      <table className="perf-table" data-perf="timing">
        <caption className="visually-hidden">
          Wait and run times of {label} over the last {performance?.windowMinutes ?? PERFORMANCE_MINUTES}{' '}
          minutes
        </caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">p50</th>
            <th scope="col">p95</th>
            <th scope="col">p99</th>
          </tr>
        </thead>
        <tbody>
          {timings.map((t) => (
            <tr key={t.name} title={`${t.title}; ${t.value?.count ?? 0} job(s) measured`}>
              <th scope="row">{t.name}</th>
              <td>{formatSeconds(t.value?.p50)}</td>
              <td>{formatSeconds(t.value?.p95)}</td>
              <td>{formatSeconds(t.value?.p99)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
