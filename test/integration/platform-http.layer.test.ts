/**
 * The shared platform HTTP layer against a local HTTP server: the Redis rate limiter shared by two clients,
 * Retry-After blocking every caller, retries for idempotent calls only, timeouts, the dry-run guard, one refresh on
 * 401 shared by concurrent callers (tokens saved sealed before use), and the Postgres circuit breaker.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getIntegrationTokens } from '../../db/queries/integration-token.ts';
import { getBreakerState, resumeIntegration } from '../../db/queries/integration-breaker.ts';
import {
  createBreaker,
  DEFAULT_BREAKER_POLICY,
  type BreakerPolicy,
} from '../../server/connectors/http/breaker.ts';
import { createPlatformHttp, staticAuth } from '../../server/connectors/http/client.ts';
import {
  DryRunWriteRefused,
  IntegrationPausedError,
  PlatformAuthError,
  PlatformRequestError,
  PlatformUnavailableError,
} from '../../server/connectors/http/errors.ts';
import { createOAuthStrategy } from '../../server/connectors/http/oauth.ts';
import type { AuthStrategy, PlatformHttp, RateLimitPolicy } from '../../server/connectors/http/types.ts';
import type { OAuthTokens } from '../../server/connectors/platform.ts';
import { createLogger } from '../../server/logger.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createTestRedisPrefix } from '../helpers/redis.ts';
import { testSecretBox } from '../helpers/stack.ts';

type Route = (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>;

interface Seen {
  method: string;
  path: string;
  at: number;
  authorization: string | undefined;
}

let testDb: TestDatabase;
let redis: Redis;
const redisEnv = createTestRedisPrefix();
let server: Server;
let baseUrl: string;
let routes = new Map<string, Route>();
let seen: Seen[] = [];
const log = createLogger({ name: 'test', level: 'silent' });
const box = testSecretBox();
const fastRetry = { baseDelayMs: 5, maxDelayMs: 20 };
const looseBreaker: BreakerPolicy = { ...DEFAULT_BREAKER_POLICY, checkIntervalMs: 0 };

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

async function newIntegration(): Promise<string> {
  const row = await testDb.db
    .insertInto('integrations')
    .values({ name: 'http test', platform: 'NUVEMSHOP', settings: '{}', credentials: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

function client(
  integrationId: string,
  opts: {
    rateLimit?: RateLimitPolicy;
    auth?: AuthStrategy;
    dryRun?: boolean;
    timeoutMs?: number;
    breaker?: BreakerPolicy;
  } = {},
): PlatformHttp {
  return createPlatformHttp(
    {
      integrationId,
      redis,
      redisPrefix: redisEnv.prefix,
      breaker: createBreaker(testDb.db, integrationId, opts.breaker ?? looseBreaker, log),
      dryRun: opts.dryRun ?? false,
      log,
      retry: fastRetry,
    },
    {
      baseUrl,
      rateLimit: opts.rateLimit ?? { burst: 1000, perSecond: 1000 },
      auth: opts.auth ?? staticAuth({ authorization: 'Bearer static' }),
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    },
  );
}

const signal = () => AbortSignal.timeout(20_000);

beforeAll(async () => {
  testDb = await createTestDatabase();
  redis = new Redis(redisEnv.url);
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      seen.push({ method: req.method ?? '', path, at: Date.now(), authorization: req.headers.authorization });
      const route = routes.get(`${req.method} ${path}`) ?? routes.get(path);
      if (!route) return json(res, 404, { error: 'no route' });
      void Promise.resolve(route(req, res, Buffer.concat(chunks).toString('utf8'))).catch(() =>
        res.destroy(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  redis.disconnect();
  await redisEnv.cleanup();
  await testDb.drop();
});

beforeEach(() => {
  routes = new Map();
  seen = [];
});

afterEach(() => {
  server.closeAllConnections();
});

describe('rate limiter', () => {
  it('is one bucket per integration, shared by every client of it', async () => {
    const id = await newIntegration();
    routes.set('/api/items', (_req, res) => json(res, 200, { ok: true }));
    const policy = { burst: 2, perSecond: 10 };
    const a = client(id, { rateLimit: policy });
    const b = client(id, { rateLimit: policy });
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        (i % 2 ? a : b).request({ method: 'GET', path: '/items', signal: signal() }),
      ),
    );
    // Two at once, then one every 100 ms: ten more calls need about a second, whichever client sends them.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const times = seen.map((s) => s.at).sort((x, y) => x - y);
    const first = times[0]!;
    times.forEach((t, n) => {
      if (n >= 2) expect(t - first).toBeGreaterThanOrEqual((n - 2) * 100 - 40);
    });

    // Another integration has its own bucket.
    const other = client(await newIntegration(), { rateLimit: policy });
    const before = Date.now();
    await other.request({ method: 'GET', path: '/items', signal: signal() });
    expect(Date.now() - before).toBeLessThan(300);
  });

  it('blocks every caller of the integration until Retry-After after a 429', async () => {
    const id = await newIntegration();
    let limited = true;
    let limitedAt = 0;
    routes.set('/api/limited', (_req, res) => {
      if (limited) {
        limited = false;
        limitedAt = Date.now();
        return json(res, 429, { error: 'too_many_requests' }, { 'retry-after': '1' });
      }
      json(res, 200, { ok: true });
    });
    routes.set('/api/other', (_req, res) => json(res, 200, { ok: true }));
    const a = client(id);
    const b = client(id);
    const first = a.request({ method: 'GET', path: '/limited', signal: signal() });
    // B starts once A has been told to wait.
    while (limitedAt === 0) await new Promise((r) => setImmediate(r));
    const second = b.request({ method: 'POST', path: '/other', body: { x: 1 }, signal: signal() });
    await Promise.all([first, second]);
    const afterLimit = seen.filter((s) => s.at > limitedAt);
    expect(afterLimit.map((s) => s.path).sort()).toEqual(['/api/limited', '/api/other']);
    for (const s of afterLimit) expect(s.at - limitedAt).toBeGreaterThanOrEqual(950);
  });

  it('takes the platform headers into account', async () => {
    const id = await newIntegration();
    routes.set('/api/h', (_req, res) => json(res, 200, {}, { 'x-left': '0' }));
    const policy: RateLimitPolicy = {
      burst: 40,
      perSecond: 2,
      fromHeaders: (h) => ({ remaining: Number(h.get('x-left')), resetMs: 20_000 }),
    };
    const c = client(id, { rateLimit: policy });
    await c.request({ method: 'GET', path: '/h', signal: signal() });
    const before = Date.now();
    await c.request({ method: 'GET', path: '/h', signal: signal() });
    // The platform said no call is left: the next waits one leak step (500 ms), not the full bucket.
    expect(Date.now() - before).toBeGreaterThanOrEqual(450);
    expect(Date.now() - before).toBeLessThan(5000);
  });
});

describe('retries', () => {
  it('retries an idempotent call after 5xx and gives up on a non-idempotent one at once', async () => {
    const id = await newIntegration();
    let getFailures = 2;
    routes.set('GET /api/flaky', (_req, res) => {
      if (getFailures-- > 0) return json(res, 503, { error: 'down' });
      json(res, 200, { ok: true });
    });
    routes.set('POST /api/flaky', (_req, res) => json(res, 503, { error: 'down' }));
    const c = client(id);
    const ok = await c.request<{ ok: boolean }>({ method: 'GET', path: '/flaky', signal: signal() });
    expect(ok.body).toEqual({ ok: true });
    expect(seen.filter((s) => s.method === 'GET')).toHaveLength(3);

    await expect(
      c.request({ method: 'POST', path: '/flaky', body: {}, signal: signal() }),
    ).rejects.toBeInstanceOf(PlatformUnavailableError);
    expect(seen.filter((s) => s.method === 'POST')).toHaveLength(1);

    // A POST the connector declares idempotent is retried (3 retries by default).
    await expect(
      c.request({ method: 'POST', path: '/flaky', body: {}, idempotent: true, signal: signal() }),
    ).rejects.toBeInstanceOf(PlatformUnavailableError);
    expect(seen.filter((s) => s.method === 'POST')).toHaveLength(1 + 4);
  });

  it('does not retry a rejected request, and times out a slow one', async () => {
    const id = await newIntegration();
    routes.set('/api/bad', (_req, res) => json(res, 422, { message: 'bad sku' }));
    routes.set('/api/slow', (_req, res) => {
      setTimeout(() => json(res, 200, {}), 1000).unref();
    });
    const c = client(id, { timeoutMs: 100 });
    const err = await c
      .request({ method: 'PUT', path: '/bad', body: {}, signal: signal() })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformRequestError);
    expect((err as PlatformRequestError).status).toBe(422);
    expect((err as PlatformRequestError).body).toEqual({ message: 'bad sku' });
    expect(seen.filter((s) => s.path === '/api/bad')).toHaveLength(1);

    await expect(c.request({ method: 'GET', path: '/slow', signal: signal() })).rejects.toThrow(/timed out/);
    expect(seen.filter((s) => s.path === '/api/slow')).toHaveLength(4);
  });
});

describe('dry run', () => {
  it('refuses writes before they leave the process, and lets reads and read-only posts through', async () => {
    const id = await newIntegration();
    routes.set('/api/thing', (_req, res) => json(res, 200, {}));
    const c = client(id, { dryRun: true });
    await expect(
      c.request({ method: 'PUT', path: '/thing', body: {}, signal: signal() }),
    ).rejects.toBeInstanceOf(DryRunWriteRefused);
    await expect(
      c.request({ method: 'POST', path: '/thing', body: {}, signal: signal() }),
    ).rejects.toBeInstanceOf(DryRunWriteRefused);
    expect(seen).toHaveLength(0);
    await c.request({ method: 'GET', path: '/thing', signal: signal() });
    await c.request({ method: 'POST', path: '/thing', body: {}, readOnly: true, signal: signal() });
    expect(seen.map((s) => s.method)).toEqual(['GET', 'POST']);
  });
});

describe('OAuth refresh', () => {
  /** A token server with single-use refresh tokens and an API that accepts only the current access token. */
  function tokenPlatform() {
    let generation = 0;
    let refreshToken = 'refresh-0';
    let accessToken = 'access-0';
    const refreshes: string[] = [];
    routes.set('POST /api/oauth/token', async (_req, res, body) => {
      const given = new URLSearchParams(body).get('refresh_token') ?? '';
      refreshes.push(given);
      if (given !== refreshToken) return json(res, 400, { error: 'invalid_grant' });
      // Slow enough that concurrent callers overlap.
      await new Promise((r) => setTimeout(r, 100));
      generation++;
      refreshToken = `refresh-${generation}`;
      accessToken = `access-${generation}`;
      json(res, 200, { access_token: accessToken, refresh_token: refreshToken, expires_in: 21600 });
    });
    routes.set('GET /api/me', (req, res) => {
      if (req.headers.authorization !== `Bearer ${accessToken}`)
        return json(res, 401, { error: 'invalid_token' });
      json(res, 200, { ok: true });
    });
    return { refreshes, current: () => ({ accessToken, refreshToken }) };
  }

  /** One "process": its own breaker, token HTTP client, OAuth strategy and API client. */
  function processFor(integrationId: string, initial: OAuthTokens, dryRun = false): PlatformHttp {
    const deps = {
      integrationId,
      redis,
      redisPrefix: redisEnv.prefix,
      breaker: createBreaker(testDb.db, integrationId, looseBreaker, log),
      dryRun,
      log,
      retry: fastRetry,
    };
    const tokenHttp = createPlatformHttp(deps, {
      baseUrl,
      rateLimit: { burst: 100, perSecond: 100 },
      auth: staticAuth(),
    });
    const auth = createOAuthStrategy(
      {
        db: testDb.db,
        redis,
        redisPrefix: redisEnv.prefix,
        box,
        integrationId,
        log,
        initialTokens: () => initial,
      },
      {
        async refresh(token, s) {
          const res = await tokenHttp.request<{
            access_token: string;
            refresh_token: string;
            expires_in: number;
          }>({
            method: 'POST',
            path: '/oauth/token',
            body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }),
            signal: s,
          });
          return {
            accessToken: res.body.access_token,
            refreshToken: res.body.refresh_token,
            expiresAt: new Date(Date.now() + res.body.expires_in * 1000),
          };
        },
      },
    );
    return createPlatformHttp(deps, { baseUrl, rateLimit: { burst: 100, perSecond: 100 }, auth });
  }

  it('refreshes once for concurrent callers in two processes and saves the new tokens sealed first', async () => {
    const id = await newIntegration();
    const platform = tokenPlatform();
    // The seeded access token is still "valid" by its clock but the platform has revoked it: a 401 forces a refresh.
    const initial = {
      accessToken: 'stale',
      refreshToken: 'refresh-0',
      expiresAt: new Date(Date.now() + 3600_000),
    };
    const p1 = processFor(id, initial);
    const p2 = processFor(id, initial);
    const results = await Promise.all([
      p1.request({ method: 'GET', path: '/me', signal: signal() }),
      p2.request({ method: 'GET', path: '/me', signal: signal() }),
      p1.request({ method: 'GET', path: '/me', signal: signal() }),
      p2.request({ method: 'GET', path: '/me', signal: signal() }),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(platform.refreshes).toEqual(['refresh-0']);
    const stored = await getIntegrationTokens(testDb.db, id);
    expect(stored?.sealed).not.toContain('refresh-1');
    const opened = JSON.parse(box.open(stored!.sealed)) as { accessToken: string; refreshToken: string };
    expect(opened).toMatchObject({ accessToken: 'access-1', refreshToken: 'refresh-1' });
    expect(stored?.version).toBe(2);
  });

  it('refreshes an expired token before the call, in a dry run too', async () => {
    const id = await newIntegration();
    const platform = tokenPlatform();
    const p = processFor(
      id,
      { accessToken: 'access-0', refreshToken: 'refresh-0', expiresAt: new Date(Date.now() - 1000) },
      true,
    );
    await p.request({ method: 'GET', path: '/me', signal: signal() });
    expect(platform.refreshes).toEqual(['refresh-0']);
    // No 401 was needed: the token was refreshed before the API call.
    expect(seen.filter((s) => s.path === '/api/me').map((s) => s.authorization)).toEqual(['Bearer access-1']);
  });

  it('a refused refresh is an auth error that pauses the integration at once', async () => {
    const id = await newIntegration();
    const platform = tokenPlatform();
    const p = processFor(id, {
      accessToken: 'stale',
      refreshToken: 'already-used',
      expiresAt: new Date(Date.now() + 3600_000),
    });
    await expect(p.request({ method: 'GET', path: '/me', signal: signal() })).rejects.toBeInstanceOf(
      PlatformAuthError,
    );
    expect(platform.refreshes).toEqual(['already-used']);
    const state = await getBreakerState(testDb.db, id);
    expect(state.pause).toMatchObject({ code: 'AUTH_FAILED', pausedUntil: null });
    const callsBefore = seen.length;
    await expect(p.request({ method: 'GET', path: '/me', signal: signal() })).rejects.toBeInstanceOf(
      IntegrationPausedError,
    );
    expect(seen).toHaveLength(callsBefore);
  });
});

describe('circuit breaker', () => {
  it('a 401 with credentials that cannot refresh pauses the integration until it is resumed', async () => {
    const id = await newIntegration();
    routes.set('/api/private', (_req, res) => json(res, 401, { error: 'invalid_token' }));
    const c = client(id);
    await expect(c.request({ method: 'GET', path: '/private', signal: signal() })).rejects.toBeInstanceOf(
      PlatformAuthError,
    );
    expect(seen).toHaveLength(1);
    await expect(c.request({ method: 'GET', path: '/private', signal: signal() })).rejects.toBeInstanceOf(
      IntegrationPausedError,
    );
    expect(seen).toHaveLength(1);
    const row = await testDb.db
      .selectFrom('integrations')
      .select(['paused_at', 'pause_code', 'pause_reason'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.paused_at).toBeInstanceOf(Date);
    expect(row.pause_code).toBe('AUTH_FAILED');
    expect(row.pause_reason).toMatch(/401/);

    expect(await resumeIntegration(testDb.db, id)).toBe(true);
    routes.set('/api/private', (_req, res) => json(res, 200, {}));
    await c.request({ method: 'GET', path: '/private', signal: signal() });
    expect(seen).toHaveLength(2);
  });

  it('opens after consecutive outages, for every client of the integration, and half-opens after the cool-down', async () => {
    const id = await newIntegration();
    let down = true;
    routes.set('/api/outage', (_req, res) => (down ? json(res, 502, {}) : json(res, 200, {})));
    const policy: BreakerPolicy = { ...looseBreaker, maxConsecutiveFailures: 3, cooldownMs: 300 };
    const a = client(id, { breaker: policy });
    const b = client(id, { breaker: policy });
    await expect(a.request({ method: 'POST', path: '/outage', signal: signal() })).rejects.toBeInstanceOf(
      PlatformUnavailableError,
    );
    await expect(a.request({ method: 'POST', path: '/outage', signal: signal() })).rejects.toBeInstanceOf(
      PlatformUnavailableError,
    );
    await expect(a.request({ method: 'POST', path: '/outage', signal: signal() })).rejects.toBeInstanceOf(
      PlatformUnavailableError,
    );
    expect(seen).toHaveLength(3);
    const paused = await b
      .request({ method: 'GET', path: '/outage', signal: signal() })
      .catch((e: unknown) => e);
    expect(paused).toBeInstanceOf(IntegrationPausedError);
    expect((paused as IntegrationPausedError).retryAt.getTime()).toBeGreaterThan(Date.now());
    expect(seen).toHaveLength(3);
    const state = await getBreakerState(testDb.db, id);
    expect(state.pause?.code).toBe('PLATFORM_UNAVAILABLE');

    // After the cool-down one call is let through; its success closes the breaker.
    down = false;
    const until = state.pause!.pausedUntil!.getTime();
    while (Date.now() <= until) await new Promise((r) => setTimeout(r, until - Date.now() + 5));
    await b.request({ method: 'GET', path: '/outage', signal: signal() });
    expect((await getBreakerState(testDb.db, id)).pause).toBeNull();
  });
});
