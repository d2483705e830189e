/**
 * A job's items on its page: what it did to each SKU or order, filtered by outcome, a page at a time, with the CSV
 * export of all of them and — when some failed in a job that otherwise completed — a retry of only those.
 */
import { useEffect, useId, useRef, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { useNavigate, routes } from '../app/router.tsx';
import type { JobStatus, LedgerOutcome } from '../gql/graphql.ts';
import { isFinished } from '../graphql/enums.ts';
import { RetrySyncJobMutation } from '../jobs/job-operations.ts';
import { CursorPager } from '../ui/CursorPager.tsx';
import { ErrorMessage } from '../ui/ErrorMessage.tsx';
import { EmptyState, Loading } from '../ui/states.tsx';
import { JobItemsQuery } from './ledger-operations.ts';
import { DownloadCsvLink, LEDGER_OUTCOMES, LedgerTable, outcomeLabel } from './LedgerTable.tsx';

export const JOB_ITEMS_PAGE_SIZE = 50;

/** The CSV export of a job's items (of one outcome, when the table is filtered). */
export function jobItemsCsvUrl(jobId: string, outcome: LedgerOutcome | '' = ''): string {
  const query = outcome ? `?outcome=${outcome.toLowerCase()}` : '';
  return `/api/sync/jobs/${encodeURIComponent(jobId)}/items.csv${query}`;
}

export function JobItemsSection({
  jobId,
  status,
  failedItems,
  version,
}: {
  jobId: string;
  status: JobStatus | null | undefined;
  failedItems: number | null | undefined;
  /** The job's version: a change (progress, end) reads the items again. */
  version: number | null | undefined;
}) {
  const filterId = useId();
  const navigate = useNavigate();
  const [outcome, setOutcome] = useState<LedgerOutcome | ''>('');
  // Cursors of the pages before the current one; the current page's cursor is the last.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1] ?? null;
  const [result, reexecute] = useQuery({
    query: JobItemsQuery,
    variables: { id: jobId, first: JOB_ITEMS_PAGE_SIZE, after, ...(outcome ? { outcome } : {}) },
  });
  const seenVersion = useRef(version);
  useEffect(() => {
    if (version === seenVersion.current) return;
    seenVersion.current = version;
    reexecute({ requestPolicy: 'network-only' });
  }, [version, reexecute]);
  const [retryState, retry] = useMutation(RetrySyncJobMutation);
  const items = result.data?.job?.items;
  const entries = items?.nodes ?? [];
  const hasFailed = status === 'COMPLETED' && (failedItems ?? 0) > 0;

  return (
    <section className="panel" aria-labelledby={`${filterId}-title`} data-job-items={jobId}>
      <header className="panel-header">
        <h2 id={`${filterId}-title`}>Items</h2>
        <div className="action-buttons">
          <label htmlFor={filterId} className="visually-hidden">
            Outcome
          </label>
          <select
            id={filterId}
            value={outcome}
            onChange={(e) => {
              setOutcome(e.target.value as LedgerOutcome | '');
              setCursors([null]);
            }}
          >
            <option value="">Every outcome</option>
            {LEDGER_OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {outcomeLabel(o)}
              </option>
            ))}
          </select>
          <DownloadCsvLink href={jobItemsCsvUrl(jobId, outcome)} filename={`job-${jobId}-items.csv`} />
          {hasFailed && (
            <button
              type="button"
              className="button-primary button-small"
              disabled={retryState.fetching}
              onClick={() =>
                void retry({ id: jobId }).then((r) => {
                  const next = r.data?.retrySyncJob?.job?.id;
                  if (next) navigate(routes.job(next));
                })
              }
            >
              {retryState.fetching
                ? 'Retrying…'
                : `Retry ${failedItems} failed item${failedItems === 1 ? '' : 's'}`}
            </button>
          )}
        </div>
      </header>
      <ErrorMessage error={retryState.error} title="Retry failed" />
      <ErrorMessage error={result.error} title="Could not load the items" />
      {!items && result.fetching && <Loading label="Loading items…" />}
      {items && entries.length === 0 && (
        <EmptyState title={outcome ? `No ${outcomeLabel(outcome).toLowerCase()} items` : 'No items recorded'}>
          {!outcome && !isFinished(status)
            ? 'Items appear here as the job writes them.'
            : !outcome
              ? 'Sandbox jobs and jobs that touched nothing record no items.'
              : null}
        </EmptyState>
      )}
      {entries.length > 0 && <LedgerTable entries={entries} caption="Items of this job" />}
      <CursorPager label="Item pages" cursors={cursors} setCursors={setCursors} pageInfo={items?.pageInfo} />
    </section>
  );
}
