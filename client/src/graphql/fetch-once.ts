/** One network read of a query, outside urql's cache: for pages the caller merges itself (the jobs table). */
import {
  createRequest,
  type AnyVariables,
  type Client,
  type OperationResult,
  type TypedDocumentNode,
} from '@urql/core';
import { filter, pipe, subscribe, take } from 'wonka';

export function fetchOnce<Data, Variables extends AnyVariables>(
  client: Client,
  query: TypedDocumentNode<Data, Variables>,
  variables: Variables,
  onResult: (result: OperationResult<Data, Variables>) => void,
): () => void {
  const subscription = pipe(
    client.executeQuery(createRequest(query, variables), { requestPolicy: 'network-only' }),
    filter((result) => !result.stale),
    take(1),
    subscribe(onResult),
  );
  return () => subscription.unsubscribe();
}
