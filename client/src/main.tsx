import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Provider } from 'urql';
import { App } from './app/App.tsx';
import { ConnectionProvider } from './app/connection-context.tsx';
import { createBrowserHistory, RouterProvider } from './app/router.tsx';
import { createDashboardClient, graphqlUrls } from './graphql/client.ts';
import './styles.css';

const { client, connection } = createDashboardClient(graphqlUrls(window.location));
const history = createBrowserHistory();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Provider value={client}>
      <ConnectionProvider state={connection}>
        <RouterProvider history={history}>
          <App />
        </RouterProvider>
      </ConnectionProvider>
    </Provider>
  </StrictMode>,
);
