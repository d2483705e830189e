/**
 * The item ledger across jobs: what happened to a SKU or an order, searched by integration, key, job and outcome,
 * newest first, a page at a time (cursor paging). The search lives in the URL, so a link opens the same view.
 */
import { useId, useMemo, useState, type FormEvent } from 'react';
import { useQuery } from 'urql';
import { routes, useLocation, useNavigate } from '../app/router.tsx';
import type { ItemLedgerFilter, LedgerOutcome } from '../gql/graphql.ts';
import { IntegrationNamesQuery } from '../integrations/integration-operations.ts';
import { CursorPager } from '../ui/CursorPager.tsx';
import { ErrorMessage } from '../ui/ErrorMessage.tsx';
import { EmptyState, Loading } from '../ui/states.tsx';
import { ItemLedgerQuery } from './ledger-operations.ts';
import { DownloadCsvLink, LEDGER_OUTCOMES, LedgerTable, outcomeLabel } from './LedgerTable.tsx';

export const LEDGER_PAGE_SIZE = 50;

export interface LedgerSearch {
  integration: string;
  key: string;
  job: string;
  outcome: LedgerOutcome | '';
}

export function parseLedgerSearch(search: string): LedgerSearch {
  const params = new URLSearchParams(search);
  const outcome = params.get('outcome') ?? '';
  return {
    integration: params.get('integration') ?? '',
    key: params.get('key') ?? '',
    job: params.get('job') ?? '',
    outcome: (LEDGER_OUTCOMES as readonly string[]).includes(outcome) ? (outcome as LedgerOutcome) : '',
  };
}

export function ledgerSearchString(s: LedgerSearch): string {
  const params = new URLSearchParams();
  if (s.integration) params.set('integration', s.integration);
  if (s.key.trim()) params.set('key', s.key.trim());
  if (s.job.trim()) params.set('job', s.job.trim());
  if (s.outcome) params.set('outcome', s.outcome);
  const text = params.toString();
  return text ? `?${text}` : '';
}

function toFilter(s: LedgerSearch): ItemLedgerFilter {
  return {
    ...(s.integration ? { integrationId: s.integration } : {}),
    ...(s.key.trim() ? { key: s.key.trim() } : {}),
    ...(s.job.trim() ? { jobId: s.job.trim() } : {}),
    ...(s.outcome ? { outcome: s.outcome } : {}),
  };
}

/** The CSV export of the same search (the REST names of the filters). */
function csvUrl(s: LedgerSearch): string {
  const params = new URLSearchParams();
  if (s.integration) params.set('integration_id', s.integration);
  if (s.key.trim()) params.set('key', s.key.trim());
  if (s.job.trim()) params.set('job_id', s.job.trim());
  if (s.outcome) params.set('outcome', s.outcome.toLowerCase());
  const text = params.toString();
  return `/api/sync/items.csv${text ? `?${text}` : ''}`;
}

export function LedgerPage() {
  const { search } = useLocation();
  // A new search (a new URL) starts over: its own draft and its own first page.
  return <LedgerSearchView key={search} search={search} />;
}

function LedgerSearchView({ search }: { search: string }) {
  const ids = { integration: useId(), key: useId(), job: useId(), outcome: useId() };
  const navigate = useNavigate();
  const applied = useMemo(() => parseLedgerSearch(search), [search]);
  const [draft, setDraft] = useState<LedgerSearch>(applied);
  // Cursors of the pages up to the current one (null: the first page).
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1] ?? null;
  const filter = useMemo(() => toFilter(applied), [applied]);
  const [result] = useQuery({
    query: ItemLedgerQuery,
    variables: { filter, first: LEDGER_PAGE_SIZE, after },
    requestPolicy: 'cache-and-network',
  });
  const [names] = useQuery({ query: IntegrationNamesQuery });
  const page = result.data?.itemLedger;
  const entries = page?.nodes ?? [];

  const submit = (event: FormEvent) => {
    event.preventDefault();
    navigate(`${routes.ledger()}${ledgerSearchString(draft)}`);
  };

  return (
    <div className="page ledger-page">
      <div className="page-title">
        <h1>Item ledger</h1>
      </div>
      <section className="panel" aria-label="Search the ledger">
        <form className="form-grid" role="search" aria-label="Search items" onSubmit={submit}>
          <div className="field">
            <label htmlFor={ids.integration}>Integration</label>
            <select
              id={ids.integration}
              value={draft.integration}
              onChange={(e) => setDraft({ ...draft, integration: e.target.value })}
            >
              <option value="">Every integration</option>
              {(names.data?.integrations ?? []).map((i) => (
                <option key={i.id} value={i.id}>
                  {i.name ?? i.id}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={ids.key}>SKU or order</label>
            <input
              id={ids.key}
              value={draft.key}
              spellCheck={false}
              onChange={(e) => setDraft({ ...draft, key: e.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor={ids.job}>Job id</label>
            <input
              id={ids.job}
              value={draft.job}
              spellCheck={false}
              className="mono"
              onChange={(e) => setDraft({ ...draft, job: e.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor={ids.outcome}>Outcome</label>
            <select
              id={ids.outcome}
              value={draft.outcome}
              onChange={(e) => setDraft({ ...draft, outcome: e.target.value as LedgerOutcome | '' })}
            >
              <option value="">Every outcome</option>
              {LEDGER_OUTCOMES.map((o) => (
                <option key={o} value={o}>
                  {outcomeLabel(o)}
                </option>
              ))}
            </select>
          </div>
          <div className="form-actions">
            <button type="submit" className="button-primary">
              Search
            </button>
            <DownloadCsvLink href={csvUrl(applied)} filename="items.csv" />
          </div>
        </form>
      </section>
      <section className="panel" aria-label="Items">
        <ErrorMessage error={result.error} title="Could not search the ledger" />
        {!page && result.fetching && <Loading label="Searching…" />}
        {page && entries.length === 0 && (
          <EmptyState title="No items match">
            Jobs of Bling, Mercado Livre and Nuvemshop integrations record every item they touch here.
          </EmptyState>
        )}
        {entries.length > 0 && <LedgerTable entries={entries} caption="Ledger items" showJob />}
        <CursorPager
          label="Ledger pages"
          cursors={cursors}
          setCursors={setCursors}
          pageInfo={page?.pageInfo}
        />
      </section>
    </div>
  );
}
