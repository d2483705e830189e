/**
 * Completed and failed jobs per minute over the last hour, as stacked SVG bars. The `throughput` query is read
 * again when jobs finish (heard through `jobEvents`), at most once every REFRESH_MS.
 */
import { useCallback, useEffect, useRef } from 'react';
import { useQuery } from 'urql';
import { JobFinishedSubscription } from '../jobs/job-operations.ts';
import { useSubscriptionEvents } from '../graphql/use-subscription-events.ts';
import { ErrorMessage } from '../ui/ErrorMessage.tsx';
import { formatTime } from '../ui/format.ts';
import { Loading } from '../ui/states.tsx';
import { ThroughputQuery } from './queue-operations.ts';

const MINUTES = 60;
const REFRESH_MS = 3_000;
const FINISHED = { status: ['COMPLETED', 'FAILED'] as ('COMPLETED' | 'FAILED')[] };

export interface ThroughputPoint {
  minute: string | null;
  completed: number | null;
  failed: number | null;
}

/** Calls `fn` at most once per `ms`, the last call of a burst included. */
function useThrottled(fn: () => void, ms: number): () => void {
  const latest = useRef(fn);
  const last = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => {
    latest.current = fn;
  });
  useEffect(() => () => clearTimeout(timer.current), []);
  return useCallback(() => {
    if (timer.current) return;
    const wait = Math.max(0, last.current + ms - Date.now());
    timer.current = setTimeout(() => {
      timer.current = undefined;
      last.current = Date.now();
      latest.current();
    }, wait);
  }, [ms]);
}

export function ThroughputChart() {
  const [result, reexecute] = useQuery({ query: ThroughputQuery, variables: { minutes: MINUTES } });
  const refresh = useThrottled(() => reexecute({ requestPolicy: 'network-only' }), REFRESH_MS);
  useSubscriptionEvents(JobFinishedSubscription, { filter: FINISHED }, refresh);
  // The window slides even when nothing finishes.
  useEffect(() => {
    const timer = setInterval(() => reexecute({ requestPolicy: 'network-only' }), 60_000);
    return () => clearInterval(timer);
  }, [reexecute]);

  const points = result.data?.throughput ?? null;
  return (
    <section className="panel throughput" aria-labelledby="throughput-title">
      <header className="panel-header">
        <h2 id="throughput-title">Throughput, last hour</h2>
        {points && <ThroughputTotals points={points} />}
      </header>
      <ErrorMessage error={result.error} title="Could not load throughput" />
      {!points && !result.error && <Loading label="Loading throughput…" />}
      {points && <ThroughputBars points={points} />}
    </section>
  );
}

function ThroughputTotals({ points }: { points: readonly ThroughputPoint[] }) {
  const completed = points.reduce((n, p) => n + (p.completed ?? 0), 0);
  const failed = points.reduce((n, p) => n + (p.failed ?? 0), 0);
  return (
    <p className="legend">
      <span className="legend-item legend-completed">{completed.toLocaleString()} completed</span>
      <span className="legend-item legend-failed">{failed.toLocaleString()} failed</span>
    </p>
  );
}

const WIDTH = 600;
const HEIGHT = 140;
const AXIS = 18;

/**
 * The bars, in a viewBox of `width` × `height` scaled to the container's width: pick a size close to the one it
 * is shown at (the default suits a half-screen panel; the Monitor's queue cards use a smaller one) so labels stay
 * readable.
 */
export function ThroughputBars({
  points,
  width = WIDTH,
  height = HEIGHT,
  label,
}: {
  points: readonly ThroughputPoint[];
  width?: number;
  height?: number;
  /** What the chart is of, before its summary (read by screen readers). */
  label?: string;
}) {
  const max = Math.max(1, ...points.map((p) => (p.completed ?? 0) + (p.failed ?? 0)));
  const slot = width / Math.max(1, points.length);
  const bar = Math.max(1, slot * 0.7);
  const plot = height - AXIS;
  const scale = (n: number) => (n / max) * (plot - 4);
  const ticks = points.length > 0 ? [0, Math.floor(points.length / 2), points.length - 1] : [];
  const total = points.reduce((n, p) => n + (p.completed ?? 0) + (p.failed ?? 0), 0);
  return (
    <svg
      className="chart"
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={`${label ?? 'Jobs finished per minute'} over the last ${points.length} minutes: ${total} in all, at most ${max} in one minute`}
    >
      <line x1={0} x2={width} y1={plot} y2={plot} className="chart-axis" />
      <text x={2} y={10} className="chart-label">
        {max}/min
      </text>
      {points.map((p, i) => {
        const completed = p.completed ?? 0;
        const failed = p.failed ?? 0;
        const x = i * slot + (slot - bar) / 2;
        const hc = scale(completed);
        const hf = scale(failed);
        return (
          <g key={p.minute ?? i}>
            <title>{`${formatTime(p.minute)}: ${completed} completed, ${failed} failed`}</title>
            {/* An invisible full-height target so the tooltip works on empty minutes too. */}
            <rect x={i * slot} y={0} width={slot} height={plot} className="chart-hit" />
            {completed > 0 && (
              <rect x={x} y={plot - hc} width={bar} height={hc} className="chart-completed" />
            )}
            {failed > 0 && <rect x={x} y={plot - hc - hf} width={bar} height={hf} className="chart-failed" />}
          </g>
        );
      })}
      {ticks.map((i) => (
        <text
          key={i}
          x={Math.min(width - 2, Math.max(2, i * slot + slot / 2))}
          y={height - 4}
          textAnchor={i === 0 ? 'start' : i === points.length - 1 ? 'end' : 'middle'}
          className="chart-label"
        >
          {formatTime(points[i]?.minute).slice(0, 5)}
        </text>
      ))}
    </svg>
  );
}
