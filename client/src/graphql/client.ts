/**
 * The dashboard's GraphQL client: queries and mutations over HTTP, subscriptions over one graphql-ws socket on
 * the same /graphql path. The socket is opened eagerly and retried forever, so the connection indicator means
 * something even before the first subscription, and a restarted API is picked up without a reload.
 */
import { Client, cacheExchange, fetchExchange, subscriptionExchange } from '@urql/core';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { createConnectionState, type ConnectionState } from './connection-state.ts';

export interface DashboardClient {
  client: Client;
  connection: ConnectionState;
  dispose(): void;
}

/** A keep-alive ping unanswered this long means the socket is dead even if TCP has not noticed. */
const PONG_TIMEOUT_MS = 5_000;
const KEEP_ALIVE_MS = 10_000;
const MAX_RETRY_WAIT_MS = 8_000;

export function graphqlUrls(location: Pick<Location, 'protocol' | 'host'>): {
  httpUrl: string;
  wsUrl: string;
} {
  const wsProtocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return {
    httpUrl: `${location.protocol}//${location.host}/graphql`,
    wsUrl: `${wsProtocol}//${location.host}/graphql`,
  };
}

export function createDashboardClient(options: {
  httpUrl: string;
  wsUrl: string;
  /** Sent as `Authorization: Bearer` on HTTP and in connectionParams on graphql-ws; null when auth is off. */
  apiKey?: string | null;
  /** The server refused the key (HTTP 401, or the socket closed with 4401 after a revocation). */
  onUnauthorized?: () => void;
}): DashboardClient {
  const authorization = options.apiKey ? `Bearer ${options.apiKey}` : null;
  const connection = createConnectionState();
  let socket: WebSocket | undefined;
  let pongTimer: ReturnType<typeof setTimeout> | undefined;

  const ws: WsClient = createWsClient({
    url: options.wsUrl,
    lazy: false,
    connectionParams: () => (authorization ? { authorization } : {}),
    keepAlive: KEEP_ALIVE_MS,
    retryAttempts: Infinity,
    // A refused key does not get better by retrying.
    shouldRetry: (event) => (event as Partial<CloseEvent> | undefined)?.code !== 4401,
    // Exponential with jitter, capped: an operator waiting for the API to come back should not wait minutes.
    retryWait: (retries) =>
      new Promise((resolve) =>
        setTimeout(resolve, Math.min(500 * 2 ** retries, MAX_RETRY_WAIT_MS) + Math.random() * 500),
      ),
    on: {
      connecting: () => connection.connecting(),
      connected: (s) => {
        socket = s as WebSocket;
        connection.connected();
      },
      closed: (event) => {
        socket = undefined;
        clearTimeout(pongTimer);
        const close = event as Partial<CloseEvent> | undefined;
        if (close?.code === 4401) options.onUnauthorized?.();
        connection.closed(close?.reason || (close?.code ? `code ${close.code}` : null));
      },
      ping: (received) => {
        if (received) return;
        pongTimer = setTimeout(() => {
          if (socket?.readyState === WebSocket.OPEN) socket.close(4408, 'Keep-alive timeout');
        }, PONG_TIMEOUT_MS);
      },
      pong: (received) => {
        if (received) clearTimeout(pongTimer);
      },
    },
  });

  const client = new Client({
    url: options.httpUrl,
    fetchOptions: () => (authorization ? { headers: { authorization } } : {}),
    fetch: async (input, init) => {
      const res = await fetch(input, init);
      if (res.status === 401) options.onUnauthorized?.();
      return res;
    },
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });

  return {
    client,
    connection,
    dispose: () => void ws.dispose(),
  };
}
