import { useEffect } from 'react';
import { IntegrationsPage } from '../integrations/IntegrationsPage.tsx';
import { JobDetailPage } from '../jobs/JobDetailPage.tsx';
import { SyncPage } from '../jobs/SyncPage.tsx';
import { LedgerPage } from '../ledger/LedgerPage.tsx';
import { MonitorPage } from '../monitor/MonitorPage.tsx';
import { ConnectionIndicator } from '../ui/ConnectionIndicator.tsx';
import { EmptyState } from '../ui/states.tsx';
import { Link, matchRoute, routes, useLocation, useNavigate } from './router.tsx';

const TITLES = {
  sync: 'Sync jobs',
  job: 'Job',
  monitor: 'Monitor',
  ledger: 'Item ledger',
  integrations: 'Integrations',
  home: 'Sync',
  notFound: 'Not found',
};

export function App() {
  const { pathname } = useLocation();
  const navigate = useNavigate();
  const route = matchRoute(pathname);

  useEffect(() => {
    if (route.name === 'home') navigate(routes.sync(), { replace: true });
  }, [route.name, navigate]);
  useEffect(() => {
    document.title = `${TITLES[route.name]} · Sync Orchestrator`;
  }, [route.name]);

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to={routes.sync()} className="brand">
          Sync Orchestrator
        </Link>
        <nav aria-label="Main">
          <Link
            to={routes.sync()}
            aria-current={route.name === 'sync' || route.name === 'job' ? 'page' : undefined}
          >
            Sync jobs
          </Link>
          <Link to={routes.monitor()} aria-current={route.name === 'monitor' ? 'page' : undefined}>
            Monitor
          </Link>
          <Link to={routes.integrations()} aria-current={route.name === 'integrations' ? 'page' : undefined}>
            Integrations
          </Link>
          <Link to={routes.ledger()} aria-current={route.name === 'ledger' ? 'page' : undefined}>
            Item ledger
          </Link>
          <a href="/graphql">GraphiQL</a>
        </nav>
        <ConnectionIndicator />
      </header>
      <main id="main">
        {route.name === 'sync' && <SyncPage />}
        {route.name === 'job' && <JobDetailPage key={route.id} id={route.id} />}
        {route.name === 'monitor' && <MonitorPage />}
        {route.name === 'ledger' && <LedgerPage />}
        {route.name === 'integrations' && <IntegrationsPage />}
        {route.name === 'notFound' && (
          <EmptyState title="Nothing here">
            <Link to={routes.sync()}>Go to the sync jobs</Link>
          </EmptyState>
        )}
      </main>
    </div>
  );
}
