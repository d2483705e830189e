/**
 * Every payload of a subscription, in order, handed to `onData` — unlike `useSubscription`'s latest-value state,
 * nothing is skipped when events come faster than renders. Resubscribes when the operation or variables change.
 */
import { createRequest, type AnyVariables, type CombinedError, type TypedDocumentNode } from '@urql/core';
import { useEffect, useRef, useState } from 'react';
import { useClient } from 'urql';
import { pipe, subscribe } from 'wonka';

export function useSubscriptionEvents<Data, Variables extends AnyVariables>(
  query: TypedDocumentNode<Data, Variables>,
  variables: Variables,
  onData: (data: Data) => void,
  options: { pause?: boolean } = {},
): { error: CombinedError | null } {
  const client = useClient();
  const [error, setError] = useState<CombinedError | null>(null);
  const latest = useRef({ query, variables, onData });
  // Declared before the subscribing effect, so that effect always sees this render's values.
  useEffect(() => {
    latest.current = { query, variables, onData };
  });
  const { key } = createRequest(query, variables);
  const pause = options.pause ?? false;

  useEffect(() => {
    if (pause) return;
    const { query: doc, variables: vars } = latest.current;
    const subscription = pipe(
      client.executeSubscription(createRequest(doc, vars)),
      subscribe((result) => {
        setError(result.error ?? null);
        if (result.data) latest.current.onData(result.data);
      }),
    );
    return () => subscription.unsubscribe();
  }, [client, key, pause]);

  return { error };
}
