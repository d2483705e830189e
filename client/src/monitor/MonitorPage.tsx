/**
 * The Monitor (what the seed's operators had from Flower): the worker processes (`workers`, then
 * `workersUpdated`), the jobs running now with their progress, and each queue's figures, performance and
 * controls (pause, resume, purge).
 */
import { useMemo, useState } from 'react';
import { useQuery } from 'urql';
import { useSubscriptionEvents } from '../graphql/use-subscription-events.ts';
import { IntegrationNamesQuery } from '../integrations/integration-operations.ts';
import { WorkersQuery, WorkersSubscription } from './monitor-operations.ts';
import { QueuesPanel } from './QueuesPanel.tsx';
import { RunningJobsPanel } from './RunningJobsPanel.tsx';
import { WorkersPanel, type Worker } from './WorkersPanel.tsx';

const NO_VARIABLES = {};

/** The worker list: the query for the first paint, then every list `workersUpdated` pushes (newest wins). */
function useWorkers() {
  const [query] = useQuery({ query: WorkersQuery });
  const [pushed, setPushed] = useState<readonly Worker[] | null>(null);
  const { error: liveError } = useSubscriptionEvents(WorkersSubscription, NO_VARIABLES, (data) => {
    if (data.workersUpdated) setPushed(data.workersUpdated);
  });
  return { workers: pushed ?? query.data?.workers ?? null, error: query.error, liveError };
}

export function MonitorPage() {
  const { workers, error, liveError } = useWorkers();
  const context = useMemo(() => ({ additionalTypenames: ['Integration'] }), []);
  const [integrations] = useQuery({ query: IntegrationNamesQuery, context });
  const names = useMemo(
    () => new Map((integrations.data?.integrations ?? []).map((i) => [i.id, i.name ?? i.id])),
    [integrations.data],
  );

  return (
    <div className="page monitor-page">
      <div className="page-title">
        <h1>Monitor</h1>
      </div>
      <WorkersPanel workers={workers} error={error} liveError={liveError} />
      <RunningJobsPanel integrationNames={names} />
      <QueuesPanel workers={workers} />
    </div>
  );
}
