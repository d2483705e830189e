/**
 * Rows of the item ledger: which item (SKU or order), what was done to it, its value before and after, how it went,
 * and the platform's error when it failed. Shared by the job page (one job's items) and the ledger search.
 */
import { useState, type MouseEvent } from 'react';
import { createKeyStore } from '../auth/key-store.ts';
import { Link, routes } from '../app/router.tsx';
import type { LedgerEntryRowFragment, LedgerOutcome } from '../gql/graphql.ts';
import { formatDateTime, formatTime, shortId } from '../ui/format.ts';

export const LEDGER_OUTCOMES: readonly LedgerOutcome[] = ['OK', 'SKIPPED', 'FAILED', 'DRY_RUN'];

const OUTCOME_LABELS: Record<LedgerOutcome, string> = {
  OK: 'OK',
  SKIPPED: 'Skipped',
  FAILED: 'Failed',
  DRY_RUN: 'Dry run',
};

export function outcomeLabel(outcome: LedgerOutcome | null | undefined): string {
  return outcome ? OUTCOME_LABELS[outcome] : '—';
}

const OUTCOME_BADGE: Record<LedgerOutcome, string> = {
  OK: 'badge-completed',
  SKIPPED: 'badge-cancelled',
  FAILED: 'badge-failed',
  DRY_RUN: 'badge-queued',
};

/** A before/after value as one short line: `12`, `price 19.90, name Camiseta`, or `—`. */
export function formatLedgerValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(formatLedgerValue).join(', ');
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) return formatLedgerValue(entries[0]![1]);
    return entries
      .map(
        ([k, v]) => `${k} ${typeof v === 'object' && v !== null ? JSON.stringify(v) : formatLedgerValue(v)}`,
      )
      .join(', ');
  }
  return JSON.stringify(value);
}

export function LedgerTable({
  entries,
  showJob = false,
  caption,
}: {
  entries: readonly LedgerEntryRowFragment[];
  /** The search across jobs links each row to its job. */
  showJob?: boolean;
  caption: string;
}) {
  return (
    <table className="ledger-table jobs-table">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Key / SKU</th>
          <th scope="col">Resource</th>
          <th scope="col">Action</th>
          <th scope="col">Before → after</th>
          <th scope="col">Outcome</th>
          <th scope="col">Error</th>
          <th scope="col">At</th>
          {showJob && <th scope="col">Job</th>}
        </tr>
      </thead>
      <tbody>
        {entries.map((e, i) => (
          <tr key={e.id ?? i} data-ledger-id={e.id ?? undefined} data-outcome={e.outcome ?? undefined}>
            <th scope="row" className="mono">
              {e.key ?? '—'}
            </th>
            <td>{e.resource ?? '—'}</td>
            <td>{e.action ?? '—'}</td>
            <td className="ledger-change">
              <span className="muted">{formatLedgerValue(e.before)}</span> → {formatLedgerValue(e.after)}
            </td>
            <td>
              <span className={`badge ${e.outcome ? OUTCOME_BADGE[e.outcome] : ''}`}>
                {outcomeLabel(e.outcome)}
              </span>
            </td>
            <td>
              {e.errorCode ? (
                <>
                  <code className="error-code">{e.errorCode}</code> {e.errorMessage}
                </>
              ) : (
                <span className="muted">—</span>
              )}
            </td>
            <td>
              <time dateTime={e.at ?? undefined} title={formatDateTime(e.at)}>
                {formatTime(e.at)}
              </time>
            </td>
            {showJob && (
              <td>
                {e.jobId ? (
                  <Link to={routes.job(e.jobId)} className="mono">
                    {shortId(e.jobId)}
                  </Link>
                ) : (
                  '—'
                )}
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * A link to a CSV export. With an API key signed in, a plain link would arrive without it (browsers add no
 * Authorization header to navigations), so the file is fetched with the key and saved from memory instead.
 */
export function DownloadCsvLink({
  href,
  filename,
  label = 'Download CSV',
}: {
  href: string;
  filename: string;
  label?: string;
}) {
  const [failed, setFailed] = useState<string | null>(null);
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    const key = createKeyStore().get();
    if (!key) return;
    event.preventDefault();
    setFailed(null);
    void fetch(href, { headers: { authorization: `Bearer ${key}` } })
      .then(async (res) => {
        if (!res.ok) throw new Error(`the server answered ${res.status}`);
        const url = URL.createObjectURL(await res.blob());
        const a = document.createElement('a');
        a.href = url;
        a.download = filename;
        a.click();
        setTimeout(() => URL.revokeObjectURL(url), 10_000);
      })
      .catch((err: Error) => setFailed(err.message));
  };
  return (
    <>
      <a href={href} download={filename} onClick={onClick} className="button-small">
        {label}
      </a>
      {failed && (
        <span className="field-error" role="alert">
          The download failed: {failed}
        </span>
      )}
    </>
  );
}
