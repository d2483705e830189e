/**
 * Revoking a key ends what it has open, in every API process: graphql-ws sockets are closed with 4401 and SSE
 * streams end, also in a second API process that learns of the revocation over Redis; new subscribes are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKeys, gqlAs, wsClientAs, type TestKeys } from '../helpers/auth.ts';
import { spawnApi, startTestStack, type ChildApi, type TestStack } from '../helpers/stack.ts';
import { waitFor } from '../helpers/wait.ts';

const JOB_UPDATED = 'subscription($id: ID!) { jobUpdated(id: $id) { id status } }';

let stack: TestStack;
let other: ChildApi;
let keys: TestKeys;
let jobId: string;

beforeAll(async () => {
  stack = await startTestStack({ env: { API_AUTH: 'required' } });
  other = await spawnApi(stack.env);
  keys = await createTestKeys(stack);
  const integration = await stack.api.services.integrations.create({ name: 'Revocation store' });
  jobId = (await stack.api.services.jobs.create({ integrationId: integration.id, syncType: 'PRODUCTS' })).job
    .id;
});

afterAll(async () => {
  await other?.kill();
  await stack?.stop();
});

function openWs(url: string, key: string) {
  const client = wsClientAs(url, key);
  const seen: unknown[] = [];
  let closedWith: number | undefined;
  client.subscribe(
    { query: JOB_UPDATED, variables: { id: jobId } },
    {
      next: (r) => seen.push(r.data),
      error: (err) => (closedWith = (err as { code?: number }).code ?? -1),
      complete: () => undefined,
    },
  );
  return { client, seen, closed: () => closedWith };
}

describe('revoking an API key', () => {
  it('closes its graphql-ws subscriptions and SSE streams in every API process, and refuses it afterwards', async () => {
    const created = await stack.api.access.keys.create({ name: 'to revoke', role: 'viewer' });
    const here = openWs(stack.url, created.secret);
    const there = openWs(other.url, created.secret);
    const controller = new AbortController();
    const stream = await fetch(`${stack.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: `Bearer ${created.secret}`,
      },
      body: JSON.stringify({ query: JOB_UPDATED, variables: { id: jobId } }),
      signal: controller.signal,
    });
    expect(stream.status).toBe(200);
    let sseEnded = false;
    const reading = (async () => {
      try {
        for await (const _chunk of stream.body as unknown as AsyncIterable<Uint8Array>) {
          // the snapshot and keep-alives
        }
      } catch {
        // a destroyed connection ends the body with an error
      }
      sseEnded = true;
    })();

    await waitFor(
      'both sockets to deliver the snapshot',
      () => here.seen.length > 0 && there.seen.length > 0,
    );
    // An unrelated key's subscription stays open.
    const bystander = openWs(stack.url, keys.viewer);
    await waitFor('the bystander snapshot', () => bystander.seen.length > 0);

    const revoke = await gqlAs(
      stack.url,
      keys.admin,
      'mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }',
      {
        id: created.key.id,
      },
    );
    expect(revoke.body.errors).toBeUndefined();

    await waitFor('the socket in this process to close with 4401', () => here.closed() === 4401);
    await waitFor('the socket in the other process to close with 4401', () => there.closed() === 4401);
    await waitFor('the SSE stream to end', () => sseEnded);
    expect(bystander.closed()).toBeUndefined();

    const again = openWs(other.url, created.secret);
    await waitFor('a new connection with the revoked key to be refused', () => again.closed() === 4401);
    expect(again.seen).toEqual([]);

    controller.abort();
    await reading;
    for (const s of [here, there, bystander, again]) await s.client.dispose();
  });
});
