/**
 * Request limits on a running API: graphql-armor's depth, alias, token and cost limits as typed QUERY_TOO_COMPLEX
 * errors; introspection and GraphiQL on in development and off in production; body limits on GraphQL (incl. SSE and
 * chunked bodies), REST and graphql-ws; the per-key write limit shared through Redis (GraphQL mutations and REST
 * POST/DELETE, 429 + Retry-After), keyed on the API key and, without one, on the client IP.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildApiApp, type ApiApp } from '../../server/http/app.ts';
import { createLogger } from '../../server/logger.ts';
import { buildMonitorApp } from '../../server/monitor/app.ts';
import { bearer, createTestKeys, type TestKeys } from '../helpers/auth.ts';
import { wsClient } from '../helpers/live.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';

interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

async function post(
  url: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

const gqlPost = (url: string, query: string, variables: Record<string, unknown> = {}, key?: string) =>
  post(url, '/graphql', { query, variables }, bearer(key));

function codes(reply: Reply): string[] {
  return ((reply.body?.errors ?? []) as { extensions?: { code?: string } }[]).map(
    (e) => e.extensions?.code ?? 'NONE',
  );
}

const CREATE_JOB = `mutation($input: CreateSyncJobInput!) { createSyncJob(input: $input) { job { id } } }`;

describe('development stack: GraphQL limits, introspection on, body limits, write limit per IP', () => {
  let stack: TestStack;
  let integrationId: string;

  beforeAll(async () => {
    stack = await startTestStack({
      env: { HTTP_BODY_LIMIT_BYTES: '4096', API_RATE_LIMIT_PER_MINUTE: '4', JOB_BULK_LIMIT: '5' },
    });
    integrationId = (
      await stack.api.services.integrations.create({ name: 'Limits', settings: { products: 1 } })
    ).id;
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('accepts a Relay-shaped query of depth 10 and refuses depth 11 with QUERY_TOO_COMPLEX', async () => {
    // jobs(1) edges(2) node(3) integration(4) lastJobs(5) integration(6) lastJobs(7) integration(8) lastJobs(9) id(10)
    const nest = (levels: number) => {
      let inner = 'id';
      for (let i = 0; i < levels; i++) inner = `integration { lastJobs { ${inner} } }`;
      return inner;
    };
    const ok = await gqlPost(stack.url, `{ jobs(first: 1) { edges { node { ${nest(3)} } } } }`);
    expect(ok.body.errors).toBeUndefined();
    const deep = await gqlPost(stack.url, `{ jobs(first: 1) { edges { node { ${nest(4)} } } } }`);
    expect(codes(deep)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(deep.body.errors[0].message).toMatch(/depth limit of 10 exceeded, found 12/);
    expect(deep.body.data).toBeUndefined();
  });

  it('refuses more than 15 aliases, more than 2000 tokens and too costly operations', async () => {
    const aliases = (n: number) =>
      `{ ${Array.from({ length: n }, (_, i) => `a${i}: queueStats { totals { queued } }`).join(' ')} }`;
    expect((await gqlPost(stack.url, aliases(15))).body.errors).toBeUndefined();
    const tooMany = await gqlPost(stack.url, aliases(16));
    expect(codes(tooMany)).toContain('QUERY_TOO_COMPLEX');
    expect(tooMany.body.errors[0].message).toMatch(/Aliases limit of 15 exceeded/);

    // 2100 tokens in 2100 bytes (the body limit of this stack is 4096).
    const tokens = `{ __typename ${'@a'.repeat(1050)} }`;
    const tooLong = await gqlPost(stack.url, tokens);
    expect(codes(tooLong)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(tooLong.body.errors[0].message).toMatch(/Token limit of 2000 exceeded/);

    // Depth 10, 15 aliases, few tokens, but each level multiplies the cost (about 5500 here).
    const inner =
      'jobs(first: 1) { edges { node { id status integration { id name lastJobs { id status integration { id name ' +
      'lastJobs { id status integration { id name lastJobs { id status } } } } } } } } }';
    const costly = `{ ${Array.from({ length: 15 }, (_, i) => `c${i}: ${inner}`).join(' ')} }`;
    const tooCostly = await gqlPost(stack.url, costly);
    expect(codes(tooCostly)).toContain('QUERY_TOO_COMPLEX');
    expect(tooCostly.body.errors.map((e: { message: string }) => e.message).join('\n')).toMatch(
      /Query Cost limit of 5000 exceeded/,
    );
  });

  it('does not suggest field names', async () => {
    const typo = await gqlPost(stack.url, `{ job(id: "x") { statuss } }`);
    expect(typo.body.errors[0].message).not.toMatch(/Did you mean/);
  });

  it('serves introspection and GraphiQL outside production', async () => {
    const intro = await gqlPost(stack.url, `{ __schema { queryType { name } } }`);
    expect(intro.body.data.__schema.queryType.name).toBe('Query');
    const page = await fetch(`${stack.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/GraphiQL/);
  });

  it('refuses GraphQL bodies over the limit (JSON and SSE), and chunked bodies, before reading them', async () => {
    const big = `{ queueStats { totals { queued } } } #${'x'.repeat(5000)}`;
    const json = await gqlPost(stack.url, big);
    expect(json.status).toBe(413);
    expect(codes(json)).toEqual(['PAYLOAD_TOO_LARGE']);
    const sse = await post(stack.url, '/graphql', { query: big }, { accept: 'text/event-stream' });
    expect(sse.status).toBe(413);

    const chunked = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        `${stack.url}/graphql`,
        { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.write('{"query":');
      req.end('"{ queueStats { totals { queued } } }"}');
    });
    expect(chunked.status).toBe(411);
    expect(JSON.parse(chunked.body).errors[0].extensions.code).toBe('LENGTH_REQUIRED');
  });

  it('refuses REST bodies over the limit with 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await post(stack.url, '/api/sync/jobs', {
      integration_id: integrationId,
      sync_type: 'products',
      note: 'x'.repeat(5000),
    });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('closes a graphql-ws connection whose message is over the limit (1009), and serves a small one', async () => {
    const ws = new WebSocket(`${stack.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(5000) } }));
    expect(await closed).toBe(1009);

    const small = new WebSocket(`${stack.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
    const ack = new Promise<string>((resolve, reject) => {
      small.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()).type));
      small.once('error', reject);
    });
    small.once('open', () => small.send(JSON.stringify({ type: 'connection_init', payload: {} })));
    expect(await ack).toBe('connection_ack');
    small.close();
  });

  it('a bulk create over JOB_BULK_LIMIT names the limit (GraphQL and REST)', async () => {
    const jobs = Array.from({ length: 6 }, () => ({ integrationId, syncType: 'PRODUCTS' }));
    const g = await gqlPost(
      stack.url,
      `mutation($jobs: [CreateSyncJobInput!]!) { bulkCreateSyncJobs(jobs: $jobs) { createdCount } }`,
      { jobs },
    );
    // Each refused bulk still counts as a write against this stack's limit (4 a minute per IP).
    expect(codes(g)).toEqual(['VALIDATION_FAILED']);
    expect(g.body.errors[0].message).toMatch(/5/);
    const r = await post(stack.url, '/api/sync/jobs/bulk', {
      jobs: jobs.map(() => ({ integration_id: integrationId, sync_type: 'products' })),
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(r.body.error.message).toMatch(/5/);
  });

  it('without an API key, writes are limited per client IP (4 a minute here); reads are not', async () => {
    // Three writes were spent above (the REST POST over the body limit and the two bulk creates); one is left.
    const third = await gqlPost(stack.url, CREATE_JOB, { input: { integrationId, syncType: 'PRODUCTS' } });
    expect(third.body.errors).toBeUndefined();
    const fourth = await gqlPost(stack.url, CREATE_JOB, { input: { integrationId, syncType: 'ORDERS' } });
    expect(fourth.status).toBe(429);
    expect(codes(fourth)).toEqual(['RATE_LIMITED']);
    const retryAfter = Number(fourth.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(fourth.body.errors[0].extensions.retryAfter).toBe(retryAfter);
    expect(fourth.body.errors[0].extensions.http).toBeUndefined();
    const rest = await post(stack.url, '/api/sync/jobs', {
      integration_id: integrationId,
      sync_type: 'orders',
    });
    expect(rest.status).toBe(429);
    expect(rest.body.error.code).toBe('RATE_LIMITED');
    expect(Number(rest.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Nothing was written by the refused calls: one job exists (the third write).
    const count = await stack.db
      .selectFrom('sync_jobs')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
    const read = await gqlPost(stack.url, `{ queueStats { totals { queued } } }`);
    expect(read.body.errors).toBeUndefined();

    // A mutation over graphql-ws counts against the same budget.
    const client = wsClient(stack.url);
    const overWs = await new Promise<unknown>((resolve) => {
      client.subscribe(
        { query: CREATE_JOB, variables: { input: { integrationId, syncType: 'ORDERS' } } },
        { next: resolve, error: resolve, complete: () => undefined },
      );
    });
    await client.dispose();
    expect(JSON.stringify(overWs)).toContain('RATE_LIMITED');
  });

  it('the monitor serves GraphQL under the same armor and body limits', async () => {
    const monitor = buildMonitorApp({
      config: stack.config,
      db: stack.db,
      log: createLogger({ name: 'monitor', level: 'silent' }),
    });
    try {
      const { url } = await monitor.start(0, '127.0.0.1');
      const aliases = `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: queueStats { generatedAt }`).join(' ')} }`;
      const refused = await post(url, `${monitor.prefix}/graphql`, { query: aliases });
      expect(codes(refused)).toEqual(['QUERY_TOO_COMPLEX']);
      const big = await post(url, `${monitor.prefix}/graphql`, {
        query: `{ __typename } #${'x'.repeat(5000)}`,
      });
      expect(big.status).toBe(413);
    } finally {
      await monitor.stop();
    }
  });
});

describe('production stack: introspection and GraphiQL off, write limit per API key across replicas', () => {
  let stack: TestStack;
  let keys: TestKeys;
  let replica: ApiApp;
  let replicaUrl: string;
  let integrationId: string;

  beforeAll(async () => {
    stack = await startTestStack({
      env: { NODE_ENV: 'production', API_AUTH: 'required', API_RATE_LIMIT_PER_MINUTE: '4' },
    });
    keys = await createTestKeys(stack);
    integrationId = (
      await stack.api.services.integrations.create({ name: 'Prod', settings: { products: 1 } })
    ).id;
    // A second API process on the same Redis and Postgres.
    replica = buildApiApp({
      config: stack.config,
      db: stack.db,
      log: createLogger({ name: 'replica', level: 'silent' }),
    });
    replicaUrl = (await replica.start(0, '127.0.0.1')).url;
  });
  afterAll(async () => {
    await replica?.stop();
    await stack?.stop();
  });

  it('refuses introspection with a typed FORBIDDEN error and serves no GraphiQL', async () => {
    const intro = await gqlPost(stack.url, `{ __schema { queryType { name } } }`, {}, keys.admin);
    expect(codes(intro).length).toBeGreaterThan(0);
    expect(new Set(codes(intro))).toEqual(new Set(['FORBIDDEN']));
    expect(intro.body.errors[0].message).toMatch(/Introspection is disabled/);
    const type = await gqlPost(stack.url, `{ __type(name: "SyncJob") { name } }`, {}, keys.admin);
    expect(codes(type)).toEqual(['FORBIDDEN']);
    const page = await fetch(`${stack.url}/graphql`, {
      headers: { accept: 'text/html', ...bearer(keys.admin) },
    });
    expect(await page.text()).not.toMatch(/GraphiQL/);
  });

  it('counts each mutation field; over the limit a key gets 429 on every replica while another key still writes', async () => {
    const input = { integrationId, syncType: 'PRODUCTS' };
    // Two fields in one operation count two.
    const two = await gqlPost(
      stack.url,
      `mutation($input: CreateSyncJobInput!) { a: createSyncJob(input: $input) { job { id } } b: createSyncJob(input: $input) { job { id } } }`,
      { input },
      keys.operator,
    );
    expect(two.body.errors).toBeUndefined();
    // The other replica shares the count: one more there, one REST write, then the operator is over 4.
    const third = await gqlPost(replicaUrl, CREATE_JOB, { input }, keys.operator);
    expect(third.body.errors).toBeUndefined();
    const fourth = await post(
      stack.url,
      '/api/sync/jobs',
      { integration_id: integrationId, sync_type: 'products' },
      bearer(keys.operator),
    );
    expect([200, 201]).toContain(fourth.status);

    const limitedGql = await gqlPost(replicaUrl, CREATE_JOB, { input }, keys.operator);
    expect(limitedGql.status).toBe(429);
    expect(codes(limitedGql)).toEqual(['RATE_LIMITED']);
    expect(limitedGql.body.errors[0].extensions.retryAfter).toBe(
      Number(limitedGql.headers.get('retry-after')),
    );
    const limitedDelete = await fetch(`${stack.url}/api/sync/jobs/${two.body.data.a.job.id}`, {
      method: 'DELETE',
      headers: bearer(keys.operator),
    });
    expect(limitedDelete.status).toBe(429);
    expect(Number(limitedDelete.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await limitedDelete.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');

    // Another key has its own budget; reads of the limited key still work.
    const admin = await gqlPost(
      stack.url,
      CREATE_JOB,
      { input: { ...input, syncType: 'ORDERS' } },
      keys.admin,
    );
    expect(admin.body.errors).toBeUndefined();
    const read = await gqlPost(stack.url, `{ queueStats { totals { queued } } }`, {}, keys.operator);
    expect(read.body.errors).toBeUndefined();
  });
});
