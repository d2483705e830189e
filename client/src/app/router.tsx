/**
 * A deliberately small router: four screens do not need a routing library. Locations come from a `RouterHistory`
 * (the browser's, or an in-memory one in tests), read through `useSyncExternalStore`.
 */
import {
  createContext,
  useCallback,
  useContext,
  useMemo,
  useSyncExternalStore,
  type AnchorHTMLAttributes,
  type MouseEvent,
  type ReactNode,
} from 'react';

export interface RouterHistory {
  /** `pathname + search`, e.g. `/dashboard/sync?status=FAILED`. */
  current: () => string;
  push: (to: string) => void;
  replace: (to: string) => void;
  subscribe: (listener: () => void) => () => void;
}

export function createBrowserHistory(): RouterHistory {
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((l) => l());
  window.addEventListener('popstate', notify);
  return {
    current: () => window.location.pathname + window.location.search,
    push(to) {
      window.history.pushState(null, '', to);
      notify();
    },
    replace(to) {
      window.history.replaceState(null, '', to);
      notify();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export function createMemoryHistory(initial: string): RouterHistory & { entries: string[] } {
  const entries = [initial];
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((l) => l());
  return {
    entries,
    current: () => entries[entries.length - 1] ?? '/',
    push(to) {
      entries.push(to);
      notify();
    },
    replace(to) {
      entries[entries.length - 1] = to;
      notify();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

const RouterContext = createContext<RouterHistory | null>(null);

export function RouterProvider({ history, children }: { history: RouterHistory; children: ReactNode }) {
  return <RouterContext.Provider value={history}>{children}</RouterContext.Provider>;
}

function useHistory(): RouterHistory {
  const history = useContext(RouterContext);
  if (!history) throw new Error('RouterProvider is missing');
  return history;
}

export interface AppLocation {
  pathname: string;
  search: string;
}

export function useLocation(): AppLocation {
  const history = useHistory();
  const href = useSyncExternalStore(history.subscribe, history.current, history.current);
  return useMemo(() => {
    const q = href.indexOf('?');
    return q < 0 ? { pathname: href, search: '' } : { pathname: href.slice(0, q), search: href.slice(q) };
  }, [href]);
}

export type Navigate = (to: string, options?: { replace?: boolean }) => void;

export function useNavigate(): Navigate {
  const history = useHistory();
  return useCallback((to, options) => (options?.replace ? history.replace(to) : history.push(to)), [history]);
}

/** An `<a>` that navigates in place on a plain click and behaves like a link otherwise (new tab, copy). */
export function Link({ to, onClick, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const navigate = useNavigate();
  const handleClick = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.altKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={handleClick} {...rest} />;
}

export const routes = {
  sync: (search = '') => `/dashboard/sync${search}`,
  job: (id: string) => `/dashboard/sync/jobs/${encodeURIComponent(id)}`,
  monitor: () => '/dashboard/sync/monitor',
  ledger: (search = '') => `/dashboard/sync/ledger${search}`,
  integrations: () => '/dashboard/integrations',
} as const;

export type Route =
  | { name: 'sync' }
  | { name: 'job'; id: string }
  | { name: 'monitor' }
  | { name: 'ledger' }
  | { name: 'integrations' }
  | { name: 'home' }
  | { name: 'notFound' };

export function matchRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '');
  if (path === '/dashboard' || path === '') return { name: 'home' };
  if (path === '/dashboard/sync') return { name: 'sync' };
  if (path === '/dashboard/sync/monitor') return { name: 'monitor' };
  if (path === '/dashboard/sync/ledger') return { name: 'ledger' };
  if (path === '/dashboard/integrations') return { name: 'integrations' };
  const job = /^\/dashboard\/sync\/jobs\/([^/]+)$/.exec(path);
  if (job?.[1]) return { name: 'job', id: decodeURIComponent(job[1]) };
  return { name: 'notFound' };
}
