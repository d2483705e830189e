// @vitest-environment happy-dom
/**
 * The jobs table fed by a mocked urql client: the first page comes from `jobs`, then the test pushes
 * `jobEvents` payloads the way the graphql-ws subscription would and watches the rows move.
 */
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { Provider } from 'urql';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryHistory, RouterProvider } from '../../client/src/app/router.tsx';
import type { JobRow } from '../../client/src/jobs/apply-job-event.ts';
import { EMPTY_FILTERS, type JobFilters } from '../../client/src/jobs/job-filters.ts';
import { JobsTable } from '../../client/src/jobs/JobsTable.tsx';
import { createMockClient, type MockClient } from './mock-client.ts';
import { INTEGRATION, jobRow, page } from './jobs.fixtures.ts';

afterEach(cleanup);

const names = new Map([[INTEGRATION, 'Demo store']]);

function renderTable(mock: MockClient, filters: JobFilters = EMPTY_FILTERS, pageSize = 20) {
  return render(
    <Provider value={mock.client}>
      <RouterProvider history={createMemoryHistory('/dashboard/sync')}>
        <JobsTable filters={filters} integrationNames={names} pageSize={pageSize} />
      </RouterProvider>
    </Provider>,
  );
}

function row(id: string | null): HTMLElement {
  const el = document.querySelector<HTMLElement>(`tr[data-job-id="${id}"]`);
  if (!el) throw new Error(`no row for job ${id}`);
  return el;
}

const progressOf = (id: string | null) =>
  within(row(id)).getByRole('progressbar').getAttribute('aria-valuenow');
const rowIds = () => [...document.querySelectorAll('tbody tr')].map((tr) => tr.getAttribute('data-job-id'));

function pushJob(mock: MockClient, job: JobRow, kind = 'PROGRESS') {
  act(() => mock.push('JobEvents', { jobEvents: { kind, at: new Date().toISOString(), job } }));
}

describe('JobsTable (live)', () => {
  it('shows the first page, then moves rows from subscription events without re-reading', () => {
    const running = jobRow({
      minute: 2,
      status: 'RUNNING',
      progress: 10,
      processedItems: 10,
      totalItems: 100,
    });
    const queued = jobRow({ minute: 1 });
    const mock = createMockClient({ query: () => page([running, queued]) });
    renderTable(mock);

    expect(rowIds()).toEqual([running.id, queued.id]);
    expect(within(row(running.id)).getByText('Demo store')).toBeTruthy();
    expect(progressOf(running.id)).toBe('10');
    expect(screen.getByText(/2 of 2 jobs/)).toBeTruthy();

    pushJob(mock, { ...running, progress: 55, processedItems: 55, version: 2 });
    expect(progressOf(running.id)).toBe('55');

    // A stale snapshot arriving late does not roll the bar back.
    pushJob(mock, { ...running, progress: 30, processedItems: 30, version: 2 });
    expect(progressOf(running.id)).toBe('55');

    pushJob(
      mock,
      { ...running, status: 'COMPLETED', progress: 100, processedItems: 100, version: 3 },
      'COMPLETED',
    );
    expect(progressOf(running.id)).toBe('100');
    expect(within(row(running.id)).getByText('COMPLETED')).toBeTruthy();
    expect(row(running.id).getAttribute('data-status')).toBe('COMPLETED');
    expect(within(row(running.id)).queryByRole('button', { name: /cancel/i })).toBeNull();

    expect(mock.queries.filter((q) => q.name === 'Jobs')).toHaveLength(1);
  });

  it('adds new jobs that match the filters at the top, and only those', () => {
    const filters: JobFilters = { ...EMPTY_FILTERS, syncType: ['PRODUCTS'] };
    const mock = createMockClient({ query: () => page([jobRow({ minute: 1 })]) });
    renderTable(mock, filters);
    expect(mock.queries[0]?.variables).toMatchObject({ filter: { syncType: ['PRODUCTS'] }, first: 20 });

    const fresh = jobRow({ minute: 30 });
    pushJob(mock, fresh, 'CREATED');
    expect(rowIds()[0]).toBe(fresh.id);
    expect(screen.getByText(/2 of 2 jobs/)).toBeTruthy();

    const orders = jobRow({ minute: 31, syncType: 'ORDERS', queue: 'SYNC_ORDERS' });
    pushJob(mock, orders, 'CREATED');
    expect(rowIds()).not.toContain(orders.id);
  });

  it('shows a running job with a cancel request as cancelling until CANCELLED arrives', () => {
    const job = jobRow({ minute: 3, status: 'RUNNING', progress: 20, version: 4 });
    const mock = createMockClient({ query: () => page([job]) });
    renderTable(mock);
    expect(within(row(job.id)).getByRole('button', { name: /cancel job/i })).toBeTruthy();

    pushJob(mock, { ...job, cancelRequestedAt: '2026-05-01T10:04:00.000Z', version: 5 }, 'CANCEL_REQUESTED');
    expect(within(row(job.id)).getByText('Cancelling…')).toBeTruthy();
    expect(within(row(job.id)).queryByRole('button', { name: /cancel job/i })).toBeNull();

    pushJob(
      mock,
      { ...job, status: 'CANCELLED', cancelRequestedAt: '2026-05-01T10:04:00.000Z', version: 6 },
      'CANCELLED',
    );
    expect(within(row(job.id)).getByText('CANCELLED')).toBeTruthy();
    expect(within(row(job.id)).getByRole('button', { name: /retry job/i })).toBeTruthy();
  });

  it('pages with the end cursor and appends the next page', () => {
    const first = [jobRow({ minute: 9 }), jobRow({ minute: 8 })];
    const second = [jobRow({ minute: 7 })];
    const mock = createMockClient({
      query: (_name, variables) =>
        variables.after ? page(second) : page(first, { hasNextPage: true, totalCount: 3 }),
    });
    renderTable(mock, EMPTY_FILTERS, 2);
    expect(screen.getByText(/2 of 3 jobs/)).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
    expect(mock.queries[1]?.variables).toMatchObject({ first: 2, after: `cursor-${first[1]!.id}` });
    expect(rowIds()).toEqual([...first, ...second].map((j) => j.id));
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
  });

  it('says so when nothing matches', () => {
    const mock = createMockClient({ query: () => page([]) });
    renderTable(mock, { ...EMPTY_FILTERS, status: ['FAILED'] });
    expect(screen.getByText('No jobs match these filters')).toBeTruthy();

    const failed = jobRow({
      minute: 40,
      status: 'FAILED',
      version: 3,
      error: { code: 'TIME_LIMIT', message: 'too slow' },
    });
    pushJob(mock, failed, 'FAILED');
    expect(rowIds()).toEqual([failed.id]);
    expect(within(row(failed.id)).getByText('TIME_LIMIT')).toBeTruthy();
  });
});
