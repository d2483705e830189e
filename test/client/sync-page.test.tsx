// @vitest-environment happy-dom
/** The filters bar and the URL: a shared link opens the same view, and each click rewrites the link. */
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { Provider } from 'urql';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryHistory, RouterProvider } from '../../client/src/app/router.tsx';
import { SyncPage } from '../../client/src/jobs/SyncPage.tsx';
import { createMockClient } from './mock-client.ts';
import { INTEGRATION, jobRow, page } from './jobs.fixtures.ts';

afterEach(cleanup);

const QUEUES = [
  'URGENT',
  'HIGH_PRIORITY',
  'SYNC_PRODUCTS',
  'SYNC_INVENTORY',
  'SYNC_ORDERS',
  'SYNC_BULK',
  'DEFAULT',
  'MAINTENANCE',
];

function stats(active: number, generatedAt: string) {
  return {
    generatedAt,
    totals: { queued: 1, running: active, completed: 5, failed: 2, cancelled: 0 },
    queues: QUEUES.map((name) => ({
      name,
      waiting: name === 'SYNC_PRODUCTS' ? 1 : 0,
      active: name === 'SYNC_PRODUCTS' ? active : 0,
      delayed: 0,
      completedLastHour: 0,
      failedLastHour: 0,
      oldestWaitingSeconds: null,
    })),
  };
}

function setup(url: string) {
  const history = createMemoryHistory(url);
  const mock = createMockClient({
    query: (name) => {
      if (name === 'Jobs') return page([jobRow({ minute: 1, status: 'FAILED' })]);
      if (name === 'IntegrationNames')
        return { integrations: [{ id: INTEGRATION, name: 'Demo store', enabled: true }] };
      if (name === 'QueueStats') return { queueStats: stats(0, '2026-05-01T10:00:00.000Z') };
      if (name === 'Throughput') return { throughput: [] };
      return undefined;
    },
  });
  render(
    <Provider value={mock.client}>
      <RouterProvider history={history}>
        <SyncPage />
      </RouterProvider>
    </Provider>,
  );
  return { history, mock };
}

const jobsQueries = (mock: ReturnType<typeof createMockClient>) =>
  mock.queries.filter((q) => q.name === 'Jobs');

describe('SyncPage filters ↔ URL', () => {
  it('opens the view a link describes', () => {
    const { mock } = setup(`/dashboard/sync?status=FAILED&type=PRODUCTS&integration=${INTEGRATION}`);
    const filters = screen.getByRole('search', { name: 'Job filters' });
    expect(within(filters).getByRole('button', { name: 'Failed' }).getAttribute('aria-pressed')).toBe('true');
    expect(within(filters).getByRole('button', { name: 'Running' }).getAttribute('aria-pressed')).toBe(
      'false',
    );
    expect(within(filters).getByRole('button', { name: 'Products' }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    expect(within(filters).getByLabelText<HTMLSelectElement>('Integration').value).toBe(INTEGRATION);
    expect(jobsQueries(mock)[0]?.variables.filter).toEqual({
      status: ['FAILED'],
      syncType: ['PRODUCTS'],
      integrationId: INTEGRATION,
    });
  });

  it('rewrites the link on every change and reloads the table for the new filters', () => {
    const { history, mock } = setup('/dashboard/sync?status=FAILED');
    const filters = screen.getByRole('search', { name: 'Job filters' });

    fireEvent.click(within(filters).getByRole('button', { name: 'Running' }));
    expect(history.current()).toBe('/dashboard/sync?status=RUNNING,FAILED');
    expect(jobsQueries(mock).at(-1)?.variables.filter).toEqual({ status: ['RUNNING', 'FAILED'] });

    fireEvent.change(within(filters).getByLabelText('Queue'), { target: { value: 'SYNC_ORDERS' } });
    expect(history.current()).toBe('/dashboard/sync?status=RUNNING,FAILED&queue=SYNC_ORDERS');

    fireEvent.click(within(filters).getByRole('button', { name: 'Clear filters' }));
    expect(history.current()).toBe('/dashboard/sync');
    expect(jobsQueries(mock).at(-1)?.variables.filter).toEqual({});
    // Filters replace the history entry instead of piling up Back-button steps.
    expect(history.entries).toHaveLength(1);
  });

  it('a queue card filters the table by its queue, and its figures follow the live stats', () => {
    const { history, mock } = setup('/dashboard/sync');
    const card = screen.getByRole('article', { name: 'Queue sync_products' });
    const active = () => card.querySelector('[data-figure="active"] dd')?.textContent;
    expect(active()).toBe('0');

    act(() => mock.push('QueueStatsUpdated', { queueStatsUpdated: stats(3, '2026-05-01T10:00:05.000Z') }));
    expect(active()).toBe('3');

    fireEvent.click(within(card).getByRole('button', { name: 'Show jobs of queue sync_products' }));
    expect(history.current()).toBe('/dashboard/sync?queue=SYNC_PRODUCTS');
  });
});
