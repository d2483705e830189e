import type { JobStatus } from '../gql/graphql.ts';

/** The job's status; a RUNNING job with a cancel request reads "Cancelling…" until it stops. */
export function StatusBadge({
  status,
  cancelRequested = false,
}: {
  status: JobStatus | null | undefined;
  cancelRequested?: boolean;
}) {
  if (!status) return <span className="badge">—</span>;
  const cancelling = cancelRequested && (status === 'RUNNING' || status === 'QUEUED');
  return (
    <span className={`badge badge-${cancelling ? 'cancelling' : status.toLowerCase()}`} data-status={status}>
      {cancelling ? 'Cancelling…' : status}
    </span>
  );
}
