// @vitest-environment happy-dom
/** Creating jobs from the dashboard: what the forms send, and how answers and API errors read. */
import { CombinedError } from '@urql/core';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { Provider } from 'urql';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryHistory, RouterProvider } from '../../client/src/app/router.tsx';
import { CreateJobPanel } from '../../client/src/jobs/CreateJobPanel.tsx';
import { createMockClient, type MockClient } from './mock-client.ts';
import { INTEGRATION, OTHER_INTEGRATION, jobRow } from './jobs.fixtures.ts';

afterEach(cleanup);

const integrations = [
  { id: INTEGRATION, name: 'Demo store', enabled: true },
  { id: OTHER_INTEGRATION, name: 'Second store', enabled: true },
  { id: '33333333-3333-4333-8333-333333333333', name: 'Switched off', enabled: false },
];

function renderPanel(mock: MockClient) {
  render(
    <Provider value={mock.client}>
      <RouterProvider history={createMemoryHistory('/dashboard/sync')}>
        <CreateJobPanel integrations={integrations} />
      </RouterProvider>
    </Provider>,
  );
}

describe('CreateJobPanel', () => {
  it('creates one job with the chosen options and links to it', () => {
    const job = jobRow({ minute: 3, priority: 'HIGH', queue: 'HIGH_PRIORITY' });
    const mock = createMockClient({
      mutation: () => ({ data: { createSyncJob: { deduplicated: false, job } } }),
    });
    renderPanel(mock);
    const form = screen.getByRole('form', { name: 'Create one sync job' });
    expect(
      within(form)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).not.toContain('Switched off');

    fireEvent.change(within(form).getByLabelText('Integration'), { target: { value: OTHER_INTEGRATION } });
    fireEvent.change(within(form).getByLabelText('Type'), { target: { value: 'ORDERS' } });
    fireEvent.change(within(form).getByLabelText('Priority'), { target: { value: 'HIGH' } });
    fireEvent.change(within(form).getByLabelText('Batch size'), { target: { value: '25' } });
    fireEvent.click(within(form).getByLabelText('Full sync'));
    fireEvent.click(within(form).getByRole('button', { name: 'Create job' }));

    expect(mock.mutations).toEqual([
      {
        name: 'CreateSyncJob',
        variables: {
          input: {
            integrationId: OTHER_INTEGRATION,
            syncType: 'ORDERS',
            priority: 'HIGH',
            options: { fullSync: true, batchSize: 25 },
          },
        },
      },
    ]);
    const link = within(form).getByRole('link', { name: job.id!.slice(0, 8) });
    expect(link.getAttribute('href')).toBe(`/dashboard/sync/jobs/${job.id}`);
    expect(within(form).getByText(/Created job/).textContent).toContain('high_priority');
  });

  it("shows the API's error code, message and field problems", () => {
    const error = new CombinedError({
      graphQLErrors: [
        {
          message: 'options.batchSize: must be at most 1000',
          extensions: {
            code: 'VALIDATION_FAILED',
            details: { problems: [{ path: 'input.options.batchSize', message: 'must be at most 1000' }] },
          },
        },
      ],
    });
    const mock = createMockClient({ mutation: () => ({ error }) });
    renderPanel(mock);
    const form = screen.getByRole('form', { name: 'Create one sync job' });
    // (An out-of-range size never leaves the browser: the input's own min/max stop it. The answer here is canned.)
    fireEvent.click(within(form).getByRole('button', { name: 'Create job' }));

    const alert = within(form).getByRole('alert');
    expect(alert.textContent).toContain('VALIDATION_FAILED');
    expect(alert.textContent).toContain('options.batchSize: must be at most 1000');
    expect(alert.textContent).toContain('input.options.batchSize');
  });

  it('bulk: every chosen integration × every chosen type in one call, then created/deduplicated counts', () => {
    const mock = createMockClient({
      mutation: () => ({ data: { bulkCreateSyncJobs: { createdCount: 5, deduplicatedCount: 1, jobs: [] } } }),
    });
    renderPanel(mock);
    fireEvent.click(screen.getByRole('button', { name: 'Bulk' }));
    const form = screen.getByRole('form', { name: 'Create jobs in bulk' });
    fireEvent.click(within(form).getByLabelText('Orders'));
    fireEvent.click(within(form).getByRole('button', { name: 'Create 6 jobs' }));

    const sent = mock.mutations[0]?.variables.jobs as { integrationId: string; syncType: string }[];
    expect(sent.map((j) => `${j.integrationId === INTEGRATION ? 'demo' : 'second'}:${j.syncType}`)).toEqual([
      'demo:PRODUCTS',
      'demo:INVENTORY',
      'demo:ORDERS',
      'second:PRODUCTS',
      'second:INVENTORY',
      'second:ORDERS',
    ]);
    expect(within(form).getByText(/Created 5, deduplicated 1/)).toBeTruthy();
  });
});
