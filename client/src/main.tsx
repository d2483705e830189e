import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Provider } from 'urql';
import { App } from './app/App.tsx';
import { AuthGate } from './auth/AuthGate.tsx';
import { ConnectionProvider } from './app/connection-context.tsx';
import { createBrowserHistory, RouterProvider } from './app/router.tsx';
import { createDashboardClient, graphqlUrls } from './graphql/client.ts';
import './styles.css';

const urls = graphqlUrls(window.location);
const history = createBrowserHistory();
const createClient = (auth: { apiKey: string | null; onUnauthorized: () => void }) =>
  createDashboardClient({ ...urls, ...auth });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AuthGate httpUrl={urls.httpUrl} createClient={createClient}>
      {({ client, connection }) => (
        <Provider value={client}>
          <ConnectionProvider state={connection}>
            <RouterProvider history={history}>
              <App />
            </RouterProvider>
          </ConnectionProvider>
        </Provider>
      )}
    </AuthGate>
  </StrictMode>,
);
