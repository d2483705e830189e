/**
 * The monitor process over HTTP: FLOWER_BASIC_AUTH (401 with WWW-Authenticate without the right user and password),
 * FLOWER_URL_PREFIX (the page at /flower/, nothing at /), the GraphQL API under the prefix over HTTP and graphql-ws,
 * open health probes; and its entrypoint (`npm run start:monitor` / `dev:monitor`) as a real process.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { buildMonitorApp, normalizePrefix, type MonitorApp } from '../../server/monitor/app.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';
import { waitFor } from '../helpers/wait.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const RIGHT = basic('admin', 's3cr:et');

let stack: TestStack;
let monitor: MonitorApp;
let url: string;

function get(path: string, authorization?: string): Promise<Response> {
  return fetch(`${url}${path}`, { headers: authorization ? { authorization } : {}, redirect: 'manual' });
}

function post(path: string, body: unknown, authorization?: string): Promise<Response> {
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(authorization ? { authorization } : {}),
    },
    body: JSON.stringify(body),
  });
}

/** A graphql-ws client whose handshake carries these headers (browsers send their Basic credentials the same way). */
function monitorWs(headers: Record<string, string>) {
  class WithHeaders extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  }
  return createClient({
    url: `${url.replace(/^http/, 'ws')}/flower/graphql`,
    webSocketImpl: WithHeaders,
    retryAttempts: 0,
    lazy: true,
  });
}

beforeAll(async () => {
  stack = await startTestStack();
  const config = loadConfig({
    ...stack.env,
    FLOWER_BASIC_AUTH: 'admin:s3cr:et',
    FLOWER_URL_PREFIX: '/flower',
  });
  monitor = buildMonitorApp({ config, db: stack.db, log: createLogger({ name: 'test', level: 'silent' }) });
  url = (await monitor.start(0, '127.0.0.1')).url;
});

afterAll(async () => {
  await monitor?.stop();
  await stack?.stop();
});

describe('monitor: basic auth and prefix', () => {
  it('rejects missing or wrong credentials with 401 and a Basic challenge', async () => {
    for (const authorization of [
      undefined,
      basic('admin', 'wrong'),
      basic('root', 's3cr:et'),
      basic('admin', 's3cr'),
      basic('admin', 's3cr:et '),
      'Basic not-base64!',
      'Bearer s3cr:et',
      `Basic ${Buffer.from('admins3cr:et').toString('base64')}`,
    ]) {
      const res = await get('/flower/', authorization);
      expect(res.status, String(authorization)).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="[^"]+"/);
      expect(await res.text()).not.toContain('<html');
    }
    expect((await post('/flower/graphql', { query: '{ workers { id } }' })).status).toBe(401);
    expect((await get('/flower/metrics')).status).toBe(401);
  });

  it('accepts the right credentials; the page is at /flower/, and nothing is at /', async () => {
    const page = await get('/flower/', RIGHT);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('<title>Sync Orchestrator · Monitor</title>');
    expect(html).toContain('const PREFIX = "/flower";');
    expect(html).toContain('purgeQueue');
    expect(html).not.toMatch(/<script[^>]+src=/);

    expect((await get('/', RIGHT)).status).toBe(404);
    expect((await get('/graphql', RIGHT)).status).toBe(404);
    expect((await get('/flowerpot/', RIGHT)).status).toBe(404);
    const bare = await get('/flower', RIGHT);
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/flower/');
  });

  it('serves the GraphQL API under the prefix', async () => {
    const res = await post(
      '/flower/graphql',
      { query: '{ workers { id } queueStats { queues { name paused } } queuePerformance { queue } }' },
      RIGHT,
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      data: {
        workers: unknown[];
        queueStats: { queues: { paused: boolean }[] };
        queuePerformance: unknown[];
      };
    };
    expect(body.data.workers).toEqual([]);
    expect(body.data.queueStats.queues).toHaveLength(8);
    expect(body.data.queuePerformance).toHaveLength(8);
    // GraphiQL, for people.
    const graphiql = await fetch(`${url}/flower/graphql`, {
      headers: { accept: 'text/html', authorization: RIGHT },
    });
    expect(graphiql.status).toBe(200);
    // (It posts to the page's own URL, so it works under the prefix.)
    expect((await graphiql.text()).includes('Sync Orchestrator monitor · GraphiQL')).toBe(true);
  });

  it('graphql-ws under the prefix needs the credentials too', async () => {
    const refused = monitorWs({});
    const failure = await new Promise<unknown>((resolve) => {
      refused.subscribe(
        { query: 'subscription { workersUpdated { id } }' },
        { next: () => resolve('next'), error: (err) => resolve(err), complete: () => resolve('complete') },
      );
    });
    expect(failure).not.toBe('next');
    await refused.dispose();

    const client = monitorWs({ authorization: RIGHT });
    try {
      const first = await new Promise<unknown>((resolve, reject) => {
        client.subscribe(
          { query: 'subscription { workersUpdated { id online } }' },
          { next: (v) => resolve(v), error: reject, complete: () => undefined },
        );
      });
      expect(first).toEqual({ data: { workersUpdated: [] } });
    } finally {
      await client.dispose();
    }
  });

  it('answers /healthz and /readyz without credentials (up or down only)', async () => {
    const health = await get('/healthz');
    expect(health.status).toBe(200);
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', checks: { postgres: 'ok', redis: 'ok' } });
  });

  it('normalises the prefix', () => {
    expect(normalizePrefix('/flower')).toBe('/flower');
    expect(normalizePrefix('flower/')).toBe('/flower');
    expect(normalizePrefix('/a/b/')).toBe('/a/b');
    expect(normalizePrefix('/')).toBe('');
    expect(normalizePrefix('')).toBe('');
  });
});

describe('monitor entrypoint', () => {
  it('starts from server/main/monitor.ts, serves the seed URL, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main/monitor.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...stack.env,
        LOG_LEVEL: 'info',
        HOST: '127.0.0.1',
        FLOWER_PORT: '0',
        FLOWER_BASIC_AUTH: 'ops:pw',
        FLOWER_URL_PREFIX: '/flower',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const page = await waitFor(
        'monitor listening',
        () => {
          if (child.exitCode !== null) throw new Error(`exited:\n${out}`);
          return /"msg":"monitor listening"/.test(out) ? /"page":"(http:[^"]+)"/.exec(out)?.[1] : undefined;
        },
        { timeoutMs: 30_000 },
      );
      expect(page).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/flower\/$/);
      expect((await fetch(page)).status).toBe(401);
      expect((await fetch(page, { headers: { authorization: basic('ops', 'pw') } })).status).toBe(200);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
