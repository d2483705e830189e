// @vitest-environment happy-dom
/**
 * Signing in to the dashboard: straight in when the server runs without keys; otherwise a form that checks the
 * key, keeps it in sessionStorage (never the URL), shows who is signed in, and signs out when the server refuses it.
 */
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthGate } from '../../client/src/auth/AuthGate.tsx';
import { createKeyStore } from '../../client/src/auth/key-store.ts';
import type { DashboardClient } from '../../client/src/graphql/client.ts';
import { createConnectionState } from '../../client/src/graphql/connection-state.ts';

const GOOD = `so_0123456789ab_${'x'.repeat(43)}`;

interface Sent {
  query: string;
  authorization: string | null;
}

/** A server that needs keys (or not) and knows one good key. */
function fakeServer(authRequired: boolean) {
  const sent: Sent[] = [];
  const fetchImpl = async (_url: string, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    const { query } = JSON.parse(init?.body as string) as { query: string };
    sent.push({ query, authorization: headers.get('authorization') });
    const json = (body: unknown, status = 200) =>
      new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    if (query.includes('serverInfo')) return json({ data: { serverInfo: { authRequired } } });
    if (headers.get('authorization') === `Bearer ${GOOD}`)
      return json({ data: { me: { name: 'ops laptop', role: 'OPERATOR' } } });
    return json(
      { errors: [{ message: 'The API key is not valid', extensions: { code: 'UNAUTHENTICATED' } }] },
      401,
    );
  };
  return { sent, fetchImpl };
}

function renderGate(server: ReturnType<typeof fakeServer>) {
  const made: { apiKey: string | null; onUnauthorized: () => void }[] = [];
  const createClient = (options: { apiKey: string | null; onUnauthorized: () => void }) => {
    made.push(options);
    return {
      client: {},
      connection: createConnectionState(),
      dispose: () => undefined,
    } as unknown as DashboardClient;
  };
  render(
    <AuthGate httpUrl="http://api/graphql" createClient={createClient} fetchImpl={server.fetchImpl}>
      {() => <p>Dashboard</p>}
    </AuthGate>,
  );
  return made;
}

beforeEach(() => window.sessionStorage.clear());
afterEach(cleanup);

describe('AuthGate', () => {
  it('goes straight in when the server runs without keys', async () => {
    const server = fakeServer(false);
    const made = renderGate(server);
    await screen.findByText('Dashboard');
    expect(screen.queryByLabelText('API key')).toBeNull();
    expect(made).toEqual([expect.objectContaining({ apiKey: null })]);
  });

  it('asks for a key, refuses a bad one, signs in with a good one without putting it in the URL', async () => {
    const server = fakeServer(true);
    const href = window.location.href;
    const made = renderGate(server);
    const input = await screen.findByLabelText('API key');
    expect(screen.queryByText('Dashboard')).toBeNull();

    fireEvent.change(input, { target: { value: 'so_bad' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toContain('not valid');
    expect(window.sessionStorage.length).toBe(0);

    fireEvent.change(input, { target: { value: GOOD } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await screen.findByText('Dashboard');
    expect(screen.getByTestId('signed-in-as').textContent).toContain('ops laptop (operator)');
    expect(createKeyStore().get()).toBe(GOOD);
    expect(made.at(-1)?.apiKey).toBe(GOOD);
    expect(server.sent.at(-1)).toEqual({ query: '{ me { name role } }', authorization: `Bearer ${GOOD}` });
    expect(window.location.href).toBe(href);
    expect(window.location.href).not.toContain(GOOD);
  });

  it('signs in from the stored key, and signs out when the server refuses it', async () => {
    createKeyStore().set(GOOD);
    const made = renderGate(fakeServer(true));
    await screen.findByText('Dashboard');
    made.at(-1)!.onUnauthorized();
    await screen.findByLabelText('API key');
    expect((await screen.findByRole('alert')).textContent).toContain('no longer accepts');
    expect(createKeyStore().get()).toBeNull();
  });

  it('signs out on request', async () => {
    createKeyStore().set(GOOD);
    renderGate(fakeServer(true));
    fireEvent.click(await screen.findByRole('button', { name: 'Sign out' }));
    await screen.findByLabelText('API key');
    expect(createKeyStore().get()).toBeNull();
  });
});
