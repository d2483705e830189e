/**
 * Who may do what, on every surface: for each credential (none, bad, malformed, expired, revoked, viewer, operator,
 * admin) × operation × surface (REST, GraphQL over HTTP, graphql-ws, SSE), the call is allowed or refused with the
 * right status and code, and a refused write leaves Postgres as it was.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, roleAtLeast, type Role } from '../../server/auth/principal.ts';
import { bearer, createTestKeys, gqlAs, wsClientAs, type TestKeys } from '../helpers/auth.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';
import { waitFor } from '../helpers/wait.ts';

type Outcome = 'ok' | 'UNAUTHENTICATED' | 'FORBIDDEN';
type Surface = 'rest' | 'http' | 'ws' | 'sse';

interface GqlCall {
  query: string;
  variables?: Record<string, unknown>;
}
interface RestCall {
  method: string;
  path: string;
  body?: unknown;
}

interface OperationCase {
  name: string;
  min: Role;
  write: boolean;
  /** For subscriptions without a first snapshot: makes an event happen. */
  trigger?: () => Promise<void>;
  rest?: () => Promise<RestCall>;
  gql?: () => Promise<GqlCall>;
  surfaces: Surface[];
}

const CREDENTIALS = ['none', 'bad', 'malformed', 'expired', 'revoked', ...ROLES] as const;
type Credential = (typeof CREDENTIALS)[number];

let stack: TestStack;
let keys: TestKeys;
let integrationId: string;
let watchedJobId: string;

function keyOf(credential: Credential): string | undefined {
  switch (credential) {
    case 'none':
      return undefined;
    case 'bad':
      return `so_000000000000_${'A'.repeat(43)}`;
    case 'malformed':
      return 'not-a-key';
    default:
      return keys[credential];
  }
}

function expected(credential: Credential, min: Role): Outcome {
  if (!(ROLES as readonly string[]).includes(credential)) return 'UNAUTHENTICATED';
  return roleAtLeast(credential as Role, min) ? 'ok' : 'FORBIDDEN';
}

async function queuedJob(syncType = 'INVENTORY'): Promise<string> {
  const { job } = await stack.api.services.jobs.create({
    integrationId,
    syncType,
    idempotencyKey: `matrix-${Math.random()}`,
  });
  return job.id;
}

const CASES: OperationCase[] = [
  {
    name: 'read jobs',
    min: 'viewer',
    write: false,
    rest: async () => ({ method: 'GET', path: '/api/sync/jobs?limit=1' }),
    gql: async () => ({ query: '{ jobs(first: 1) { totalCount } }' }),
    surfaces: ['rest', 'http', 'ws'],
  },
  {
    name: 'read item ledger',
    min: 'viewer',
    write: false,
    rest: async () => ({ method: 'GET', path: `/api/sync/jobs/${watchedJobId}/items.csv` }),
    gql: async () => ({ query: '{ itemLedger(first: 1) { nodes { key outcome } } }' }),
    surfaces: ['rest', 'http'],
  },
  {
    name: 'read job logs',
    min: 'viewer',
    write: false,
    rest: async () => ({ method: 'GET', path: `/api/sync/jobs/${watchedJobId}/logs` }),
    surfaces: ['rest'],
  },
  {
    name: 'subscribe jobUpdated',
    min: 'viewer',
    write: false,
    gql: async () => ({
      query: 'subscription($id: ID!) { jobUpdated(id: $id) { id status } }',
      variables: { id: watchedJobId },
    }),
    surfaces: ['ws', 'sse'],
  },
  {
    name: 'subscribe jobEvents',
    min: 'viewer',
    write: false,
    // A waiting job of the same type is deduplicated (no event), so each trigger cancels what it made.
    trigger: async () => void (await stack.api.services.jobs.cancel(await queuedJob('ORDERS'))),
    gql: async () => ({ query: 'subscription { jobEvents { kind job { id } } }' }),
    surfaces: ['ws', 'sse'],
  },
  {
    name: 'createSyncJob',
    min: 'operator',
    write: true,
    rest: async () => ({
      method: 'POST',
      path: '/api/sync/jobs',
      body: { integration_id: integrationId, sync_type: 'products', priority: 'low' },
    }),
    gql: async () => ({
      query: `mutation($i: ID!) { createSyncJob(input: { integrationId: $i, syncType: PRODUCTS, priority: LOW }) { job { id } } }`,
      variables: { i: integrationId },
    }),
    surfaces: ['rest', 'http', 'ws'],
  },
  {
    name: 'cancelSyncJob',
    min: 'operator',
    write: true,
    rest: async () => ({ method: 'DELETE', path: `/api/sync/jobs/${await queuedJob()}` }),
    gql: async () => ({
      query: 'mutation($id: ID!) { cancelSyncJob(id: $id) { id status } }',
      variables: { id: await queuedJob() },
    }),
    surfaces: ['rest', 'http', 'ws'],
  },
  {
    name: 'bulk create',
    min: 'operator',
    write: true,
    rest: async () => ({
      method: 'POST',
      path: '/api/sync/jobs/bulk',
      body: { jobs: [{ integration_id: integrationId, sync_type: 'orders', priority: 'high' }] },
    }),
    gql: async () => ({
      query: `mutation($i: ID!) { bulkCreateSyncJobs(jobs: [{ integrationId: $i, syncType: ORDERS, priority: HIGH }]) { createdCount } }`,
      variables: { i: integrationId },
    }),
    surfaces: ['rest', 'http'],
  },
  {
    name: 'quick sync',
    min: 'operator',
    write: true,
    rest: async () => ({
      method: 'POST',
      path: '/api/sync/quick',
      body: { integration_id: integrationId, sync_types: ['inventory'] },
    }),
    surfaces: ['rest'],
  },
  {
    name: 'pauseQueue',
    min: 'operator',
    write: true,
    gql: async () => ({ query: 'mutation { pauseQueue(name: SYNC_BULK) { paused } }' }),
    surfaces: ['http', 'ws'],
  },
  {
    name: 'purgeQueue',
    min: 'operator',
    write: true,
    gql: async () => ({ query: 'mutation { purgeQueue(name: MAINTENANCE) { purged } }' }),
    surfaces: ['http'],
  },
  {
    name: 'createIntegration',
    min: 'admin',
    write: true,
    gql: async () => ({
      query: `mutation { createIntegration(input: { name: "matrix", credentials: { token: "t" } }) { id hasCredentials } }`,
    }),
    surfaces: ['http', 'ws'],
  },
  {
    name: 'updateIntegration',
    min: 'admin',
    write: true,
    gql: async () => ({
      query: 'mutation($id: ID!) { updateIntegration(id: $id, input: { name: "renamed" }) { id } }',
      variables: { id: integrationId },
    }),
    surfaces: ['http'],
  },
  {
    name: 'createApiKey',
    min: 'admin',
    write: true,
    gql: async () => ({
      query: 'mutation { createApiKey(input: { name: "made", role: VIEWER }) { secret key { id } } }',
    }),
    surfaces: ['http'],
  },
  {
    name: 'read auditLog',
    min: 'admin',
    write: false,
    gql: async () => ({ query: '{ auditLog(first: 5) { totalCount nodes { action } } }' }),
    surfaces: ['http', 'ws'],
  },
  {
    name: 'read apiKeys',
    min: 'admin',
    write: false,
    gql: async () => ({ query: '{ apiKeys { id name role } }' }),
    surfaces: ['http'],
  },
];

/** Everything a write could change (last_used_at of keys aside, which any authenticated call stamps). */
async function snapshot(): Promise<unknown> {
  const db = stack.db;
  const [jobs, integrations, queues, apiKeys, audit] = await Promise.all([
    db.selectFrom('sync_jobs').select(['id', 'status', 'version']).orderBy('id').execute(),
    db.selectFrom('integrations').select(['id', 'name', 'updated_at']).orderBy('id').execute(),
    sql`SELECT queue, paused, changed_at FROM queue_controls ORDER BY queue`.execute(db).then((r) => r.rows),
    db.selectFrom('api_keys').select(['id', 'revoked_at']).orderBy('id').execute(),
    db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { jobs, integrations, queues, apiKeys, audit };
}

function codeOf(errors: { extensions?: { code?: string } }[] | undefined): string | undefined {
  return errors?.[0]?.extensions?.code;
}

async function callRest(call: RestCall, key: string | undefined): Promise<Outcome> {
  const res = await fetch(`${stack.url}${call.path}`, {
    method: call.method,
    headers: {
      ...bearer(key),
      ...(call.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
  });
  // Successful reads may be CSV; refusals are always JSON.
  if (res.status < 300) return 'ok';
  const body = (await res.json()) as { error?: { code: string } };
  const code = body.error?.code;
  expect({ status: res.status, code }).toEqual(
    code === 'UNAUTHENTICATED' ? { status: 401, code } : { status: 403, code: 'FORBIDDEN' },
  );
  return code as Outcome;
}

async function callHttp(call: GqlCall, key: string | undefined): Promise<Outcome> {
  const { status, body } = await gqlAs(stack.url, key, call.query, call.variables);
  const code = codeOf(body.errors);
  if (!code) {
    expect(status).toBe(200);
    return 'ok';
  }
  expect(body.data ?? null).toBeNull();
  expect({ status, code }).toEqual(
    code === 'UNAUTHENTICATED' ? { status: 401, code } : { status: 403, code: 'FORBIDDEN' },
  );
  return code as Outcome;
}

async function callWs(
  call: GqlCall,
  key: string | undefined,
  trigger?: () => Promise<void>,
): Promise<Outcome> {
  const client = wsClientAs(stack.url, key);
  let outcome: Outcome | undefined;
  let failure: unknown;
  const unsubscribe = client.subscribe(
    { query: call.query, variables: call.variables ?? {} },
    {
      next: (result) => {
        const code = codeOf(result.errors as never);
        if (code === 'UNAUTHENTICATED' || code === 'FORBIDDEN') outcome ??= code;
        else if (result.data && !result.errors) outcome ??= 'ok';
        else failure = result.errors;
      },
      error: (err) => {
        const code = (err as { code?: number }).code;
        if (code === 4401) outcome ??= 'UNAUTHENTICATED';
        else if (code === 4403) outcome ??= 'FORBIDDEN';
        else failure = err;
      },
      complete: () => undefined,
    },
  );
  try {
    const answer = await waitFor(
      'a graphql-ws answer',
      async () => {
        if (!outcome && !failure && trigger) await trigger();
        return outcome ?? (failure ? 'failure' : undefined);
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    if (answer === 'failure') throw new Error(`unexpected answer: ${JSON.stringify(failure)}`);
    return answer;
  } finally {
    unsubscribe();
    await client.dispose();
  }
}

async function callSse(
  call: GqlCall,
  key: string | undefined,
  trigger?: () => Promise<void>,
): Promise<Outcome> {
  const controller = new AbortController();
  const res = await fetch(`${stack.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...bearer(key) },
    body: JSON.stringify({ query: call.query, variables: call.variables ?? {} }),
    signal: controller.signal,
  });
  let outcome: Outcome | undefined;
  const reading = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        const data = /^event: next\ndata: (.*)$/m.exec(buffer)?.[1];
        if (data) {
          const result = JSON.parse(data) as { data?: unknown; errors?: never };
          const code = codeOf(result.errors);
          outcome = code ? (code as Outcome) : 'ok';
          return;
        }
      }
    } catch {
      // aborted below
    }
  })();
  try {
    const result = await waitFor(
      'an SSE answer',
      async () => {
        if (!outcome && trigger) await trigger();
        return outcome;
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    if (result !== 'ok') expect(res.status).toBe(result === 'UNAUTHENTICATED' ? 401 : 403);
    return result;
  } finally {
    controller.abort();
    await reading;
  }
}

beforeAll(async () => {
  stack = await startTestStack({ env: { API_AUTH: 'required' } });
  keys = await createTestKeys(stack);
  integrationId = (await stack.api.services.integrations.create({ name: 'Matrix store' })).id;
  watchedJobId = await queuedJob('ALL');
});

afterAll(async () => {
  await stack?.stop();
});

describe('the public server info needs no key', () => {
  it('answers serverInfo without a key, and says keys are required', async () => {
    const { status, body } = await gqlAs(stack.url, undefined, '{ serverInfo { authRequired } }');
    expect(status).toBe(200);
    expect(body).toEqual({ data: { serverInfo: { authRequired: true } } });
  });
});

for (const op of CASES) {
  describe(op.name, () => {
    for (const surface of op.surfaces) {
      for (const credential of CREDENTIALS) {
        const want = expected(credential, op.min);
        it(`${surface} with ${credential} key → ${want}`, async () => {
          const key = keyOf(credential);
          // Inputs (a fresh queued job to cancel…) are made before the "before" snapshot.
          const restCall = surface === 'rest' ? await op.rest!() : undefined;
          const gqlCall = surface !== 'rest' ? await op.gql!() : undefined;
          const before = op.write && want !== 'ok' ? await snapshot() : undefined;
          const got =
            surface === 'rest'
              ? await callRest(restCall!, key)
              : surface === 'http'
                ? await callHttp(gqlCall!, key)
                : surface === 'ws'
                  ? await callWs(gqlCall!, key, op.trigger)
                  : await callSse(gqlCall!, key, op.trigger);
          expect(got).toBe(want);
          if (before !== undefined) expect(await snapshot()).toEqual(before);
        });
      }
    }
  });
}
