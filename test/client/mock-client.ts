/**
 * A urql client for component tests: queries answer from a function of (operation name, variables), subscriptions
 * are wonka subjects the test pushes events into, mutations answer from a function too. Client-side logic only:
 * nothing here imitates the server.
 */
import type { Client, CombinedError, GraphQLRequest, OperationResult } from '@urql/core';
import { fromValue, makeSubject, never, type Subject } from 'wonka';
import { vi } from 'vitest';

export function operationName(request: GraphQLRequest): string {
  for (const definition of request.query.definitions) {
    if ('operation' in definition && definition.name) return definition.name.value;
  }
  return '';
}

export interface MockClient {
  client: Client;
  /** Every query sent: its operation name and variables, in order. */
  queries: { name: string; variables: Record<string, unknown> }[];
  /** Every mutation sent, in order. */
  mutations: { name: string; variables: Record<string, unknown> }[];
  /** The subject behind each subscription, by operation name (the latest one when it resubscribed). */
  subscription(name: string): Subject<OperationResult>;
  /** Pushes `data` to every open subscription named `name`. */
  push(name: string, data: unknown): void;
}

export function createMockClient(options: {
  query?: (name: string, variables: Record<string, unknown>) => unknown;
  /** What a mutation answers: its data, or an error (a `CombinedError`, as urql would build it). */
  mutation?: (name: string, variables: Record<string, unknown>) => { data?: unknown; error?: CombinedError };
}): MockClient {
  const queries: MockClient['queries'] = [];
  const mutations: MockClient['mutations'] = [];
  const subjects = new Map<string, Subject<OperationResult>[]>();
  const result = (request: GraphQLRequest, data: unknown, error?: CombinedError) =>
    ({ operation: request, data, error, stale: false, hasNext: false }) as unknown as OperationResult;

  const client = {
    suspense: false,
    executeQuery: vi.fn((request: GraphQLRequest) => {
      const name = operationName(request);
      const variables = (request.variables ?? {}) as Record<string, unknown>;
      queries.push({ name, variables });
      const data = options.query?.(name, variables);
      return data === undefined ? never : fromValue(result(request, data));
    }),
    executeSubscription: vi.fn((request: GraphQLRequest) => {
      const subject = makeSubject<OperationResult>();
      const name = operationName(request);
      subjects.set(name, [...(subjects.get(name) ?? []), subject]);
      return subject.source;
    }),
    executeMutation: vi.fn((request: GraphQLRequest) => {
      mutations.push({ name: operationName(request), variables: request.variables ?? {} });
      const answer = options.mutation?.(operationName(request), request.variables ?? {});
      return answer === undefined ? never : fromValue(result(request, answer.data, answer.error));
    }),
  } as unknown as Client;

  return {
    client,
    queries,
    mutations,
    subscription(name) {
      const list = subjects.get(name);
      if (!list?.length) throw new Error(`no subscription ${name}`);
      return list[list.length - 1]!;
    },
    push(name, data) {
      for (const subject of subjects.get(name) ?? []) {
        subject.next({ data, stale: false, hasNext: true } as unknown as OperationResult);
      }
    },
  };
}
