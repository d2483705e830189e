import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import {
  createConnectionState,
  type ConnectionSnapshot,
  type ConnectionState,
} from '../graphql/connection-state.ts';

const ConnectionContext = createContext<ConnectionState | null>(null);

export function ConnectionProvider({ state, children }: { state: ConnectionState; children: ReactNode }) {
  return <ConnectionContext.Provider value={state}>{children}</ConnectionContext.Provider>;
}

/** Without a provider (component tests) the connection reads as never connected. */
const fallback = createConnectionState();

export function useConnection(): ConnectionSnapshot {
  const state = useContext(ConnectionContext) ?? fallback;
  return useSyncExternalStore(state.subscribe, state.get, state.get);
}
