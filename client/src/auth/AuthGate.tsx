/**
 * The dashboard's door. With API auth off it lets everyone straight in; otherwise it asks for an API key, checks
 * it, keeps it in sessionStorage (never in the URL), sends it on every request (Authorization header on HTTP,
 * connectionParams on graphql-ws) and signs out when the server stops accepting it (401, or the socket closed
 * with 4401 after a revocation).
 */
import { useCallback, useEffect, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import type { DashboardClient } from '../graphql/client.ts';
import { createKeyStore, type KeyStore } from './key-store.ts';
import { checkKey, fetchAuthRequired, type FetchLike, type SignedInAs } from './session.ts';

export interface AuthGateProps {
  httpUrl: string;
  /** Makes the GraphQL client for a key (null: auth off); `onUnauthorized` signs out. */
  createClient: (options: { apiKey: string | null; onUnauthorized: () => void }) => DashboardClient;
  children: (client: DashboardClient) => ReactNode;
  fetchImpl?: FetchLike;
  keyStore?: KeyStore;
}

type State =
  | { step: 'loading' }
  | { step: 'error'; message: string }
  | { step: 'sign-in'; message?: string }
  | { step: 'in'; apiKey: string | null; as: SignedInAs | null };

const ROLE_LABEL = { VIEWER: 'viewer', OPERATOR: 'operator', ADMIN: 'admin' } as const;

export function AuthGate({ httpUrl, createClient, children, fetchImpl, keyStore }: AuthGateProps) {
  const doFetch = useMemo<FetchLike>(() => fetchImpl ?? ((i, init) => fetch(i, init)), [fetchImpl]);
  const store = useMemo(() => keyStore ?? createKeyStore(), [keyStore]);
  const [state, setState] = useState<State>({ step: 'loading' });

  const signOut = useCallback(
    (message?: string) => {
      store.clear();
      setState({ step: 'sign-in', ...(message ? { message } : {}) });
    },
    [store],
  );

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      try {
        if (!(await fetchAuthRequired(doFetch, httpUrl))) {
          if (!cancelled) setState({ step: 'in', apiKey: null, as: null });
          return;
        }
        const saved = store.get();
        if (!saved) {
          if (!cancelled) setState({ step: 'sign-in' });
          return;
        }
        const checked = await checkKey(doFetch, httpUrl, saved);
        if (cancelled) return;
        if (checked.ok) setState({ step: 'in', apiKey: saved, as: checked.as });
        else signOut(checked.message);
      } catch (err) {
        if (!cancelled) setState({ step: 'error', message: (err as Error).message });
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [doFetch, httpUrl, store, signOut]);

  const apiKey = state.step === 'in' ? state.apiKey : undefined;
  const client = useMemo(
    () =>
      apiKey === undefined
        ? undefined
        : createClient({
            apiKey,
            onUnauthorized: () => signOut('The server no longer accepts this key; sign in again.'),
          }),
    [apiKey, createClient, signOut],
  );
  useEffect(() => () => client?.dispose(), [client]);

  if (state.step === 'loading') return <p className="auth-loading">Loading…</p>;
  if (state.step === 'error') return <p role="alert">Cannot reach the server: {state.message}</p>;
  if (state.step === 'sign-in') {
    return (
      <SignInForm
        message={state.message}
        onSubmit={async (key) => {
          const checked = await checkKey(doFetch, httpUrl, key);
          if (!checked.ok) return checked.message;
          store.set(key);
          setState({ step: 'in', apiKey: key, as: checked.as });
          return null;
        }}
      />
    );
  }
  if (!client) return null;
  return (
    <>
      {state.as && (
        <div className="auth-bar" data-testid="signed-in-as">
          Signed in as <strong>{state.as.name}</strong> ({ROLE_LABEL[state.as.role]})
          <button type="button" onClick={() => signOut()}>
            Sign out
          </button>
        </div>
      )}
      {children(client)}
    </>
  );
}

function SignInForm({
  message,
  onSubmit,
}: {
  message?: string | undefined;
  onSubmit: (key: string) => Promise<string | null>;
}) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(event: FormEvent) {
    // Never a GET form: the key must not reach the URL.
    event.preventDefault();
    setBusy(true);
    const problem = await onSubmit(key.trim());
    setBusy(false);
    if (problem) setError(problem);
  }
  return (
    <main className="sign-in">
      <h1>Sync Orchestrator</h1>
      <form onSubmit={(e) => void submit(e)} method="post" action="#" aria-label="Sign in">
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autoComplete="off"
          value={key}
          onChange={(e) => setKey(e.target.value)}
          placeholder="so_…"
          required
        />
        <button type="submit" disabled={busy || key.trim() === ''}>
          Sign in
        </button>
      </form>
      {(error ?? message) && <p role="alert">{error ?? message}</p>}
      <p className="hint">
        Ask an admin for a key, or create one with{' '}
        <code>npm run apikey -- create --role viewer --name me</code>.
      </p>
    </main>
  );
}
