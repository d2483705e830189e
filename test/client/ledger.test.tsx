// @vitest-environment happy-dom
/**
 * The item ledger in the dashboard: a job's items (key, action, before → after, outcome, error) with an outcome
 * filter, the CSV link and the retry of failed items; the search page across jobs with its URL and cursor paging.
 */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { Provider } from 'urql';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryHistory, RouterProvider } from '../../client/src/app/router.tsx';
import type { LedgerEntryRowFragment } from '../../client/src/gql/graphql.ts';
import { JobItemsSection } from '../../client/src/ledger/JobItemsSection.tsx';
import { LedgerPage } from '../../client/src/ledger/LedgerPage.tsx';
import { formatLedgerValue } from '../../client/src/ledger/LedgerTable.tsx';
import { createMockClient } from './mock-client.ts';
import { INTEGRATION, jobRow } from './jobs.fixtures.ts';

afterEach(cleanup);

const JOB = '00000000-0000-4000-8000-000000000077';

function entry(overrides: Partial<LedgerEntryRowFragment>): LedgerEntryRowFragment {
  return {
    id: '1',
    jobId: JOB,
    integrationId: INTEGRATION,
    resource: 'inventory',
    key: 'SKU-0001',
    action: 'set',
    before: { available: 3 },
    after: { available: 7 },
    outcome: 'OK',
    errorCode: null,
    errorMessage: null,
    at: '2026-05-01T10:00:00.000Z',
    ...overrides,
  };
}

const OK_ROW = entry({ id: '1' });
const FAILED_ROW = entry({
  id: '2',
  key: 'SKU-0002',
  action: 'update',
  before: { price: '19.90', name: 'Camiseta' },
  after: { price: '24.90', name: 'Camiseta' },
  outcome: 'FAILED',
  errorCode: 'ITEM_REJECTED',
  errorMessage: 'price must be a non-negative decimal',
});

function itemsAnswer(nodes: LedgerEntryRowFragment[], hasNextPage = false) {
  return { job: { id: JOB, items: { pageInfo: { endCursor: 'c-1', hasNextPage }, nodes } } };
}

describe("a job's items", () => {
  function setup(options: { status: 'COMPLETED' | 'RUNNING'; failedItems: number }) {
    const history = createMemoryHistory(`/dashboard/sync/jobs/${JOB}`);
    const mock = createMockClient({
      query: (name, variables) => {
        if (name !== 'JobItems') return undefined;
        return variables.outcome === 'FAILED'
          ? itemsAnswer([FAILED_ROW])
          : itemsAnswer([FAILED_ROW, OK_ROW], true);
      },
      mutation: () => ({
        data: { retrySyncJob: { deduplicated: false, job: jobRow({ id: 'retry-job', minute: 9 }) } },
      }),
    });
    render(
      <Provider value={mock.client}>
        <RouterProvider history={history}>
          <JobItemsSection
            jobId={JOB}
            status={options.status}
            failedItems={options.failedItems}
            version={3}
          />
        </RouterProvider>
      </Provider>,
    );
    return { mock, history };
  }

  it('shows each item: key, action, before → after, outcome and the error of a failed one', () => {
    setup({ status: 'COMPLETED', failedItems: 1 });
    const table = screen.getByRole('table', { name: 'Items of this job' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.getAttribute('data-outcome'))).toEqual(['FAILED', 'OK']);
    const cells = (row: HTMLElement) =>
      within(row)
        .getAllByRole('cell')
        .map((c) => c.textContent);
    expect(within(rows[0]!).getByRole('rowheader').textContent).toBe('SKU-0002');
    expect(cells(rows[0]!).slice(0, 5)).toEqual([
      'inventory',
      'update',
      'price 19.90, name Camiseta → price 24.90, name Camiseta',
      'Failed',
      'ITEM_REJECTED price must be a non-negative decimal',
    ]);
    expect(cells(rows[1]!).slice(1, 5)).toEqual(['set', '3 → 7', 'OK', '—']);
  });

  it('filters by outcome (the query and the CSV link) and pages with the cursor', () => {
    const { mock } = setup({ status: 'COMPLETED', failedItems: 1 });
    const csv = screen.getByRole('link', { name: 'Download CSV' });
    expect(csv.getAttribute('href')).toBe(`/api/sync/jobs/${JOB}/items.csv`);
    expect(mock.queries.at(-1)?.variables).toEqual({ id: JOB, first: 50, after: null });

    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    expect(mock.queries.at(-1)?.variables).toEqual({ id: JOB, first: 50, after: 'c-1' });

    fireEvent.change(screen.getByLabelText('Outcome'), { target: { value: 'FAILED' } });
    // A new filter starts at the first page.
    expect(mock.queries.at(-1)?.variables).toEqual({ id: JOB, first: 50, after: null, outcome: 'FAILED' });
    expect(csv.getAttribute('href')).toBe(`/api/sync/jobs/${JOB}/items.csv?outcome=failed`);
    const rows = within(screen.getByRole('table', { name: 'Items of this job' })).getAllByRole('row');
    expect(rows).toHaveLength(2);
  });

  it('a completed job with failed items offers to retry only those, and opens the new job', async () => {
    const { mock, history } = setup({ status: 'COMPLETED', failedItems: 1 });
    fireEvent.click(screen.getByRole('button', { name: 'Retry 1 failed item' }));
    expect(mock.mutations).toEqual([{ name: 'RetrySyncJob', variables: { id: JOB } }]);
    await waitFor(() => expect(history.entries.at(-1)).toBe('/dashboard/sync/jobs/retry-job'));
  });

  it('no retry while the job runs or when nothing failed', () => {
    setup({ status: 'RUNNING', failedItems: 1 });
    expect(screen.queryByRole('button', { name: /Retry/ })).toBeNull();
    cleanup();
    setup({ status: 'COMPLETED', failedItems: 0 });
    expect(screen.queryByRole('button', { name: /Retry/ })).toBeNull();
  });
});

describe('the ledger search page', () => {
  function setup(url: string) {
    const history = createMemoryHistory(url);
    const mock = createMockClient({
      query: (name, variables) => {
        if (name === 'IntegrationNames')
          return { integrations: [{ id: INTEGRATION, name: 'Demo Nuvemshop', enabled: true }] };
        if (name === 'ItemLedger')
          return {
            itemLedger: {
              pageInfo: { endCursor: variables.after ? 'c-2' : 'c-1', hasNextPage: !variables.after },
              nodes: variables.after ? [OK_ROW] : [FAILED_ROW],
            },
          };
        return undefined;
      },
    });
    render(
      <Provider value={mock.client}>
        <RouterProvider history={history}>
          <LedgerPage />
        </RouterProvider>
      </Provider>,
    );
    return { mock, history };
  }

  const ledgerQueries = (mock: ReturnType<typeof createMockClient>) =>
    mock.queries.filter((q) => q.name === 'ItemLedger').map((q) => q.variables);

  it('searches by what the URL says, links each row to its job, and pages with the cursor', () => {
    const { mock } = setup(`/dashboard/sync/ledger?integration=${INTEGRATION}&key=SKU-0002&outcome=FAILED`);
    expect(ledgerQueries(mock).at(-1)).toEqual({
      filter: { integrationId: INTEGRATION, key: 'SKU-0002', outcome: 'FAILED' },
      first: 50,
      after: null,
    });
    expect(screen.getByLabelText<HTMLInputElement>('SKU or order').value).toBe('SKU-0002');
    const table = screen.getByRole('table', { name: 'Ledger items' });
    expect(
      within(table)
        .getByRole('link', { name: JOB.slice(0, 8) })
        .getAttribute('href'),
    ).toBe(`/dashboard/sync/jobs/${JOB}`);
    expect(screen.getByRole('link', { name: 'Download CSV' }).getAttribute('href')).toBe(
      `/api/sync/items.csv?integration_id=${INTEGRATION}&key=SKU-0002&outcome=failed`,
    );

    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    expect(ledgerQueries(mock).at(-1)).toMatchObject({ after: 'c-1' });
    expect(within(screen.getByRole('table', { name: 'Ledger items' })).getByText('SKU-0001')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Previous' }));
    expect(ledgerQueries(mock).at(-1)).toMatchObject({ after: null });
  });

  it('a search writes the URL (job id, outcome) and starts at the first page', () => {
    const { mock, history } = setup('/dashboard/sync/ledger');
    expect(ledgerQueries(mock).at(-1)).toEqual({ filter: {}, first: 50, after: null });
    const form = screen.getByRole('search', { name: 'Search items' });
    fireEvent.change(within(form).getByLabelText('Job id'), { target: { value: ` ${JOB} ` } });
    fireEvent.change(within(form).getByLabelText('Outcome'), { target: { value: 'DRY_RUN' } });
    fireEvent.submit(form);
    expect(history.entries.at(-1)).toBe(`/dashboard/sync/ledger?job=${JOB}&outcome=DRY_RUN`);
    expect(ledgerQueries(mock).at(-1)).toEqual({
      filter: { jobId: JOB, outcome: 'DRY_RUN' },
      first: 50,
      after: null,
    });
  });
});

describe('before/after values', () => {
  it('read as one short line', () => {
    expect(formatLedgerValue(null)).toBe('—');
    expect(formatLedgerValue(12)).toBe('12');
    expect(formatLedgerValue({ available: 0 })).toBe('0');
    expect(formatLedgerValue({ erpId: '123', status: 'PAID' })).toBe('erpId 123, status PAID');
  });
});
