/**
 * The API process: GraphQL (yoga, GraphiQL served without a CDN) at /graphql, the REST shim at /api/sync/*,
 * health at /healthz and /readyz, Prometheus metrics at /metrics — all on one node http server.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { Database } from '../../db/database.ts';
import type { SchemaContext } from '../../schema/index.ts';
import type { Config } from '../config.ts';
import { createAccessControl, type AccessControl } from '../auth/access-control.ts';
import type { Logger } from '../logger.ts';
import { createApiServices } from './api-services.ts';
import { createDashboardAssets } from './dashboard-assets.ts';
import { createGraphqlEndpoint } from './graphql-endpoint.ts';
import { createItemsCsvRoute } from './rest-items.ts';
import { createJobLogsRoute } from './rest-job-logs.ts';
import { listen, stopServing } from './listen.ts';
import { createRestHandler } from './rest.ts';
import { graphqlBodyRefusal } from '../security/body-limit.ts';
import { createWriteRateLimiter } from '../security/rate-limit.ts';

export interface ApiApp {
  readonly server: Server;
  readonly services: SchemaContext;
  /** API keys, policy and audit of this process. */
  readonly access: AccessControl;
  start(port?: number, host?: string): Promise<{ port: number; url: string }>;
  stop(): Promise<void>;
}

export function buildApiApp(options: { config: Config; db: Database; log: Logger }): ApiApp {
  const { config, log } = options;
  const api = createApiServices(options);
  const { services } = api;
  // Shared by every replica through Redis: GraphQL mutations and REST POST/DELETE, per API key (or client IP).
  const writeLimiter = createWriteRateLimiter({
    redis: api.redis,
    prefix: config.redis.prefix,
    perMinute: config.rateLimit.writesPerMinute,
    log,
  });
  const access = createAccessControl({
    mode: config.auth.mode,
    db: options.db,
    redisUrl: config.redis.url,
    prefix: config.redis.prefix,
    publisher: api.redis,
    services,
    log,
  });
  const graphql = createGraphqlEndpoint({
    services,
    log,
    endpoint: '/graphql',
    title: 'Sync Orchestrator GraphiQL',
    limits: config.graphql,
    maxPayloadBytes: config.http.bodyLimitBytes,
    limiter: writeLimiter,
    access,
  });
  const { yoga } = graphql;
  const rest = createRestHandler({
    access,
    bodyLimitBytes: config.http.bodyLimitBytes,
    writeLimiter,
    log,
  });
  const jobLogs = createJobLogsRoute({ access, log });
  const itemsCsv = createItemsCsvRoute({ access, log });
  const dashboard = createDashboardAssets();

  function sendJson(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (jobLogs.matches(path)) {
      void jobLogs.handle(req, res);
      return;
    }
    if (itemsCsv.matches(path)) {
      void itemsCsv.handle(req, res);
      return;
    }
    if (path.startsWith('/api/')) {
      void rest(req, res);
      return;
    }
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      void api.readiness().then((checks) => {
        const ok = Object.values(checks).every((v) => v === 'ok');
        sendJson(res, ok ? 200 : 503, { status: ok ? 'ok' : 'unavailable', checks });
      });
      return;
    }
    if (path === '/metrics') {
      void api.metrics.handle(req, res);
      return;
    }
    if (path.startsWith('/graphql')) {
      const refused = graphqlBodyRefusal(req, config.http.bodyLimitBytes);
      if (refused) {
        res.setHeader('connection', 'close');
        return sendJson(res, refused.status, refused.body);
      }
      void yoga(req, res);
      return;
    }
    if (path === '/dashboard' || path.startsWith('/dashboard/')) {
      void dashboard(req, res);
      return;
    }
    if (path === '/') {
      res.writeHead(302, { location: '/dashboard/sync' });
      res.end();
      return;
    }
    sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `Nothing at ${path}`, details: null } });
  });

  const ws = graphql.attachWebSocket(server);

  return {
    server,
    services,
    access,
    async start(port = config.http.port, host = config.http.host) {
      // Redis may be down at boot: the API still starts, records jobs, and the reconciler enqueues them later.
      await api.redisReady();
      const bound = await listen(server, port, host);
      return bound;
    },
    async stop() {
      await stopServing({ server, ws, api });
      await access.close();
    },
  };
}
