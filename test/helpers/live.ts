/** Subscription clients for tests: a real graphql-ws client, and Server-Sent Events over fetch. */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { waitFor } from './wait.ts';

export interface Subscription<T> {
  /** Every `data` payload received, in order. */
  events: T[];
  errors: unknown[];
  /** Resolves when the server completes the subscription. */
  completed: Promise<void>;
  isCompleted(): boolean;
  /** Waits (with a deadline) until an event matches. */
  until(what: string, predicate: (event: T) => boolean, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

function track<T>(): Subscription<T> & { push(e: T): void; fail(e: unknown): void; complete(): void } {
  const events: T[] = [];
  const errors: unknown[] = [];
  let completed = false;
  let resolveCompleted!: () => void;
  const done = new Promise<void>((r) => (resolveCompleted = r));
  return {
    events,
    errors,
    completed: done,
    isCompleted: () => completed,
    push: (e) => events.push(e),
    fail: (e) => {
      errors.push(e);
      completed = true;
      resolveCompleted();
    },
    complete: () => {
      completed = true;
      resolveCompleted();
    },
    until: (what, predicate, timeoutMs = 20_000) =>
      waitFor(what, () => events.find(predicate), { timeoutMs, intervalMs: 5 }),
    close: async () => undefined,
  };
}

export function wsClient(httpUrl: string): Client {
  return createClient({
    url: `${httpUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
  });
}

/** Subscribes over graphql-ws; `pick` extracts the payload of interest from `data`. */
export function subscribeWs<T>(
  client: Client,
  query: string,
  variables: Record<string, unknown>,
  pick: (data: any) => T,
): Subscription<T> {
  const sub = track<T>();
  const unsubscribe = client.subscribe(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) sub.fail(result.errors);
        else sub.push(pick(result.data));
      },
      error: (err) => sub.fail(err),
      complete: () => sub.complete(),
    },
  );
  sub.close = async () => unsubscribe();
  return sub;
}

/** Subscribes over Server-Sent Events (yoga's distinct-connections mode). */
export function subscribeSse<T>(
  httpUrl: string,
  query: string,
  variables: Record<string, unknown>,
  pick: (data: any) => T,
): Subscription<T> {
  const sub = track<T>();
  const controller = new AbortController();
  void (async () => {
    try {
      const res = await fetch(`${httpUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query, variables }),
        signal: controller.signal,
      });
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let boundary: number;
        while ((boundary = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, boundary);
          buffer = buffer.slice(boundary + 2);
          const event = /^event: (.*)$/m.exec(frame)?.[1];
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (event === 'complete') {
            sub.complete();
            return;
          }
          if (event === 'next' && data) {
            const result = JSON.parse(data) as { data?: unknown; errors?: unknown };
            if (result.errors) sub.fail(result.errors);
            else sub.push(pick(result.data));
          }
        }
      }
      sub.complete();
    } catch (err) {
      if (!controller.signal.aborted) sub.fail(err);
    }
  })();
  sub.close = async () => controller.abort();
  return sub;
}
