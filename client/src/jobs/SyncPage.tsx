/** The operators' screen: queues at a glance, throughput, new jobs, and the live jobs table. */
import { useMemo, useState } from 'react';
import { useQuery } from 'urql';
import { routes, useLocation, useNavigate } from '../app/router.tsx';
import { IntegrationNamesQuery } from '../integrations/integration-operations.ts';
import { QueueOverview } from '../queues/QueueOverview.tsx';
import { ThroughputChart } from '../queues/ThroughputChart.tsx';
import { ErrorMessage } from '../ui/ErrorMessage.tsx';
import { CreateJobPanel } from './CreateJobPanel.tsx';
import { JobFiltersBar, JobIdSearch } from './JobFiltersBar.tsx';
import {
  EMPTY_FILTERS,
  formatJobFilters,
  parseJobFilters,
  toggleFilterValue,
  type JobFilters,
} from './job-filters.ts';
import { JobsTable } from './JobsTable.tsx';

export function SyncPage() {
  const { search } = useLocation();
  const navigate = useNavigate();
  const filters = useMemo(() => parseJobFilters(search), [search]);
  const setFilters = (next: JobFilters) =>
    navigate(routes.sync(formatJobFilters(next, search)), { replace: true });
  const [creating, setCreating] = useState(false);
  const context = useMemo(() => ({ additionalTypenames: ['Integration'] }), []);
  const [integrationsResult] = useQuery({ query: IntegrationNamesQuery, context });
  const integrations = useMemo(() => integrationsResult.data?.integrations ?? [], [integrationsResult.data]);
  const names = useMemo(() => new Map(integrations.map((i) => [i.id, i.name ?? i.id])), [integrations]);

  return (
    <div className="page sync-page">
      <div className="page-title">
        <h1>Sync jobs</h1>
        <button
          type="button"
          className="button-primary"
          aria-expanded={creating}
          aria-controls="create-job"
          onClick={() => setCreating((v) => !v)}
        >
          {creating ? 'Close' : 'New job'}
        </button>
      </div>
      {creating && (
        <div id="create-job">
          <ErrorMessage error={integrationsResult.error} title="Could not load integrations" />
          <CreateJobPanel integrations={integrations} />
        </div>
      )}
      <div className="overview-grid">
        <QueueOverview
          activeStatuses={filters.status}
          activeQueues={filters.queue}
          onPickStatus={(status) => setFilters(toggleFilterValue(filters, 'status', status))}
          onPickQueue={(queue) => setFilters(toggleFilterValue(filters, 'queue', queue))}
        />
        <ThroughputChart />
      </div>
      <section className="panel" aria-labelledby="jobs-title">
        <header className="panel-header">
          <h2 id="jobs-title">Jobs</h2>
          <JobIdSearch onOpenJob={(id) => navigate(routes.job(id))} />
        </header>
        <JobFiltersBar filters={filters} integrations={integrations} onChange={setFilters} />
        <JobsTable
          filters={filters}
          integrationNames={names}
          onClearFilters={() => setFilters(EMPTY_FILTERS)}
        />
      </section>
    </div>
  );
}
