/**
 * The state of the graphql-ws connection, as a tiny external store for `useSyncExternalStore`. `generation` grows
 * with every successful (re)connection, so views can re-read what they may have missed while the socket was down.
 */
export type ConnectionPhase = 'connecting' | 'live' | 'reconnecting';

export interface ConnectionSnapshot {
  phase: ConnectionPhase;
  /** Successful connections so far; the first is 1. */
  generation: number;
  /** Why the last connection closed, when it did. */
  lastCloseReason: string | null;
}

export interface ConnectionState {
  get: () => ConnectionSnapshot;
  subscribe: (listener: () => void) => () => void;
  connecting: () => void;
  connected: () => void;
  closed: (reason: string | null) => void;
}

export function createConnectionState(): ConnectionState {
  let snapshot: ConnectionSnapshot = { phase: 'connecting', generation: 0, lastCloseReason: null };
  const listeners = new Set<() => void>();
  const set = (next: Partial<ConnectionSnapshot>) => {
    snapshot = { ...snapshot, ...next };
    for (const listener of listeners) listener();
  };
  return {
    get: () => snapshot,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    connecting() {
      if (snapshot.phase === 'live') set({ phase: 'reconnecting' });
    },
    connected() {
      set({ phase: 'live', generation: snapshot.generation + 1, lastCloseReason: null });
    },
    closed(reason) {
      set({ phase: snapshot.generation === 0 ? 'connecting' : 'reconnecting', lastCloseReason: reason });
    },
  };
}
