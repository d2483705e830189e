/** API keys in tests: keys of each role (and expired/revoked ones) on a stack, and calls that send them. */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { Role } from '../../server/auth/principal.ts';
import type { TestStack } from './stack.ts';

export interface TestKeys {
  viewer: string;
  operator: string;
  admin: string;
  expired: string;
  revoked: string;
  ids: Record<'viewer' | 'operator' | 'admin' | 'expired' | 'revoked', string>;
}

/** Creates one key per role, one expired and one revoked key (through the stack's own key service). */
export async function createTestKeys(stack: TestStack): Promise<TestKeys> {
  const { keys } = stack.api.access;
  const make = (role: Role, name: string) => keys.create({ name, role });
  const [viewer, operator, admin, expired, revoked] = await Promise.all([
    make('viewer', 'test viewer'),
    make('operator', 'test operator'),
    make('admin', 'test admin'),
    make('admin', 'test expired'),
    make('admin', 'test revoked'),
  ]);
  await stack.db
    .updateTable('api_keys')
    .set({ expires_at: new Date(Date.now() - 1000) })
    .where('id', '=', expired.key.id)
    .execute();
  await keys.revoke(revoked.key.id);
  return {
    viewer: viewer.secret,
    operator: operator.secret,
    admin: admin.secret,
    expired: expired.secret,
    revoked: revoked.secret,
    ids: {
      viewer: viewer.key.id,
      operator: operator.key.id,
      admin: admin.key.id,
      expired: expired.key.id,
      revoked: revoked.key.id,
    },
  };
}

export const bearer = (key: string | undefined): Record<string, string> =>
  key === undefined ? {} : { authorization: `Bearer ${key}` };

/** POSTs a GraphQL operation with a key; returns the HTTP status and the body. */
export async function gqlAs<T = any>(
  url: string,
  key: string | undefined,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{
  status: number;
  body: { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
}> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...bearer(key) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: await res.json() };
}

/** A graphql-ws client that sends the key in connectionParams. */
export function wsClientAs(url: string, key: string | undefined): Client {
  return createClient({
    url: `${url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    connectionParams: key === undefined ? {} : { authorization: `Bearer ${key}` },
  });
}
