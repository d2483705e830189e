// @vitest-environment happy-dom
/**
 * The Monitor screen: workers from `workersUpdated`, queue control (pause / resume, purge only after the operator
 * confirms in a modal dialog), running jobs from job events. The urql client is a mock; no server.
 */
import { CombinedError } from '@urql/core';
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { Provider } from 'urql';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryHistory, RouterProvider } from '../../client/src/app/router.tsx';
import type { QueueMonitorQuery } from '../../client/src/gql/graphql.ts';
import { MonitorPage } from '../../client/src/monitor/MonitorPage.tsx';
import { jobRow } from './jobs.fixtures.ts';
import { createMockClient } from './mock-client.ts';
import { queueMonitor, worker } from './monitor.fixtures.ts';

afterEach(cleanup);

function setup(
  options: {
    queues?: QueueMonitorQuery;
    mutation?: Parameters<typeof createMockClient>[0]['mutation'];
  } = {},
) {
  const mock = createMockClient({
    query: (name) => {
      if (name === 'Workers') return { workers: [] };
      if (name === 'IntegrationNames') return { integrations: [] };
      if (name === 'QueueMonitor') return options.queues ?? queueMonitor();
      if (name === 'RunningJobs') return { jobs: { totalCount: 0, nodes: [] } };
      return undefined;
    },
    mutation: options.mutation,
  });
  render(
    <Provider value={mock.client}>
      <RouterProvider history={createMemoryHistory('/dashboard/sync/monitor')}>
        <MonitorPage />
      </RouterProvider>
    </Provider>,
  );
  return mock;
}

const queueCard = (label: string) => screen.getByRole('article', { name: `Queue ${label}` });

describe('Monitor: workers', () => {
  it('lists the workers a subscription pushes, online ones live and offline ones greyed', () => {
    const mock = setup();
    expect(screen.getByText('No worker seen in the last minute')).toBeTruthy();

    const jobId = '00000000-0000-4000-8000-0000000000aa';
    act(() =>
      mock.push('WorkersUpdated', {
        workersUpdated: [
          worker({
            running: [{ jobId, queue: 'SYNC_PRODUCTS', attempt: 1, startedAt: '2026-05-01T09:59:00.000Z' }],
            queues: [
              { name: 'SYNC_PRODUCTS', concurrency: 4, paused: false },
              { name: 'SYNC_ORDERS', concurrency: 2, paused: true },
              { name: 'MAINTENANCE', concurrency: 0, paused: false },
            ],
          }),
          worker({ id: 'host-b:202:def456', host: 'host-b', pid: 202, online: false }),
        ],
      }),
    );

    const online = screen.getByRole('article', { name: 'Worker host-a:101' });
    expect(online.getAttribute('data-online')).toBe('true');
    expect(online.className).not.toContain('worker-offline');
    expect(within(online).getByText('Online')).toBeTruthy();
    expect(within(online).getByText('host-a')).toBeTruthy();
    // Its queues with their concurrency (a queue it does not take from is left out), the paused one marked.
    const queues = within(online).getByRole('list', { name: 'Queues of worker host-a:101' });
    expect(
      within(queues)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['sync_products×4', 'sync_orders×2paused']);
    // The job it runs links to the job's page.
    const link = within(online).getByRole('link', { name: `Job ${jobId}` });
    expect(link.getAttribute('href')).toBe(`/dashboard/sync/jobs/${jobId}`);

    const offline = screen.getByRole('article', { name: 'Worker host-b:202' });
    expect(offline.getAttribute('data-online')).toBe('false');
    expect(offline.className).toContain('worker-offline');
    expect(within(offline).getByText('Offline')).toBeTruthy();

    expect(screen.getByText('1 online')).toBeTruthy();
    expect(screen.getByText('1 offline')).toBeTruthy();

    // The next push replaces the list: the offline worker was forgotten.
    act(() => mock.push('WorkersUpdated', { workersUpdated: [worker()] }));
    expect(screen.queryByRole('article', { name: 'Worker host-b:202' })).toBeNull();
    expect(screen.getByText('0 offline')).toBeTruthy();
  });
});

describe('Monitor: queue control', () => {
  it('purges only after the operator confirms in a dialog that names the queue and the count', async () => {
    let answer: { data?: unknown; error?: CombinedError } = {
      data: { purgeQueue: { queue: 'SYNC_PRODUCTS', purged: 4, jobIds: [] } },
    };
    const mock = setup({
      queues: queueMonitor({ SYNC_PRODUCTS: { waiting: 3, delayed: 1 } }),
      mutation: () => answer,
    });
    const card = queueCard('sync_products');

    // Open, then back out: nothing is sent.
    fireEvent.click(within(card).getByRole('button', { name: 'Purge queue sync_products' }));
    let dialog = screen.getByRole('dialog', { name: 'Purge queue sync_products?' });
    expect(dialog.textContent).toContain('4 jobs (3 waiting, 1 delayed)');
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(mock.mutations).toEqual([]);

    // Open again and confirm: one purgeQueue for this queue, and the answer's count is shown.
    fireEvent.click(within(card).getByRole('button', { name: 'Purge queue sync_products' }));
    dialog = screen.getByRole('dialog', { name: 'Purge queue sync_products?' });
    expect(mock.mutations).toEqual([]);
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Purge 4 jobs' })));
    expect(mock.mutations).toEqual([{ name: 'PurgeQueue', variables: { name: 'SYNC_PRODUCTS' } }]);
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(within(card).getByText(/Purged sync_products: 4 waiting jobs cancelled\./)).toBeTruthy();
    expect(within(card).getByRole('link', { name: 'Show cancelled jobs' }).getAttribute('href')).toBe(
      '/dashboard/sync?status=CANCELLED&queue=SYNC_PRODUCTS',
    );

    // A refused purge reads as the API's code and message.
    answer = {
      error: new CombinedError({
        graphQLErrors: [
          {
            message: 'The worker registry (Redis) is not reachable',
            extensions: { code: 'SERVICE_UNAVAILABLE' },
          },
        ],
      }),
    };
    fireEvent.click(within(card).getByRole('button', { name: 'Purge queue sync_products' }));
    await act(async () =>
      fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Purge 4 jobs' })),
    );
    const alert = within(card).getByRole('alert');
    expect(alert.textContent).toContain('Could not purge sync_products');
    expect(alert.textContent).toContain('SERVICE_UNAVAILABLE');
    expect(alert.textContent).toContain('The worker registry (Redis) is not reachable');
    expect(within(card).queryByText(/Purged sync_products/)).toBeNull();
  });

  it('a paused queue offers Resume; resuming and pausing follow the answers at once', async () => {
    const mock = setup({
      queues: queueMonitor({ SYNC_ORDERS: { paused: true, waiting: 2 } }),
      mutation: (name, variables) =>
        name === 'ResumeQueue'
          ? {
              data: {
                resumeQueue: { name: variables.name, paused: false, changedAt: '2026-05-01T10:00:01.000Z' },
              },
            }
          : {
              data: {
                pauseQueue: { name: variables.name, paused: true, changedAt: '2026-05-01T10:00:02.000Z' },
              },
            },
    });
    const orders = queueCard('sync_orders');
    expect(orders.getAttribute('data-paused')).toBe('true');
    expect(within(orders).getByText('Paused')).toBeTruthy();
    expect(within(orders).queryByRole('button', { name: 'Pause queue sync_orders' })).toBeNull();
    // Other queues run, and offer Pause.
    expect(
      within(queueCard('sync_products')).getByRole('button', { name: 'Pause queue sync_products' }),
    ).toBeTruthy();
    expect(queueCard('sync_products').getAttribute('data-paused')).toBe('false');

    await act(async () =>
      fireEvent.click(within(orders).getByRole('button', { name: 'Resume queue sync_orders' })),
    );
    expect(mock.mutations.at(-1)).toEqual({ name: 'ResumeQueue', variables: { name: 'SYNC_ORDERS' } });
    // The figures were generated before the resume: the answer wins until newer figures come.
    expect(orders.getAttribute('data-paused')).toBe('false');
    expect(within(orders).queryByText('Paused')).toBeNull();
    expect(within(orders).getByRole('button', { name: 'Pause queue sync_orders' })).toBeTruthy();

    await act(async () =>
      fireEvent.click(within(orders).getByRole('button', { name: 'Pause queue sync_orders' })),
    );
    expect(mock.mutations.at(-1)).toEqual({ name: 'PauseQueue', variables: { name: 'SYNC_ORDERS' } });
    expect(within(orders).getByRole('button', { name: 'Resume queue sync_orders' })).toBeTruthy();
  });
});

describe('Monitor: running jobs', () => {
  it('jobs join when they start, move with progress and leave when they end', () => {
    const mock = setup();
    expect(screen.getByText('Nothing is running')).toBeTruthy();
    const running = jobRow({
      minute: 1,
      status: 'RUNNING',
      startedAt: '2026-05-01T10:01:05.000Z',
      progress: 10,
      version: 2,
    });
    const event = (job: object) => ({
      jobEvents: { kind: 'PROGRESS', job: { workerId: 'host-a:101:abc', ...job } },
    });

    act(() => mock.push('MonitorJobEvents', event(running)));
    expect(screen.getByRole('table', { name: 'Running jobs' })).toBeTruthy();
    const row = () => document.querySelector(`tr[data-job-id="${running.id}"]`);
    expect(row()).toBeTruthy();
    expect(
      within(row() as HTMLElement)
        .getByRole('progressbar')
        .getAttribute('aria-valuenow'),
    ).toBe('10');
    expect(within(row() as HTMLElement).getByText('host-a:101')).toBeTruthy();

    act(() => mock.push('MonitorJobEvents', event({ ...running, progress: 55, version: 3 })));
    expect(
      within(row() as HTMLElement)
        .getByRole('progressbar')
        .getAttribute('aria-valuenow'),
    ).toBe('55');
    // An older snapshot changes nothing.
    act(() => mock.push('MonitorJobEvents', event({ ...running, progress: 20, version: 2 })));
    expect(
      within(row() as HTMLElement)
        .getByRole('progressbar')
        .getAttribute('aria-valuenow'),
    ).toBe('55');

    act(() =>
      mock.push('MonitorJobEvents', event({ ...running, status: 'COMPLETED', progress: 100, version: 4 })),
    );
    expect(row()).toBeNull();
    expect(screen.getByText('Nothing is running')).toBeTruthy();
  });
});
