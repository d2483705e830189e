import type { JobStatus } from '../gql/graphql.ts';

/** A job's progress, 0–100, as an accessible progress bar with the item counts beside it. */
export function ProgressBar({
  progress,
  status,
  processed,
  total,
  label,
}: {
  progress: number | null | undefined;
  status?: JobStatus | null;
  processed?: number | null;
  total?: number | null;
  label: string;
}) {
  const value = Math.max(0, Math.min(100, Math.round((progress ?? 0) * 10) / 10));
  const counts =
    processed != null
      ? `${processed.toLocaleString()}${total != null ? `/${total.toLocaleString()}` : ''}`
      : '';
  return (
    <div className={`progress progress-${(status ?? 'queued').toLowerCase()}`}>
      <div
        className="progress-track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={value}
        aria-valuetext={`${value}%${counts ? ` (${counts})` : ''}`}
      >
        <div className="progress-fill" style={{ width: `${value}%` }} />
      </div>
      <span className="progress-text">
        {Math.round(value)}%{counts && <span className="muted"> · {counts}</span>}
      </span>
    </div>
  );
}
