/**
 * The monitor process (the seed's Flower): on FLOWER_PORT (5555), under FLOWER_URL_PREFIX (`/flower`), behind
 * FLOWER_BASIC_AUTH. It serves
 * - `<prefix>/`: a small self-contained page (workers, queues with pause/resume/purge, running jobs);
 * - `<prefix>/graphql`: the same GraphQL API as the API process (HTTP, SSE and graphql-ws; GraphiQL on GET);
 * - `<prefix>/metrics`: the same Prometheus metrics as the API's /metrics;
 * - `/healthz` and `/readyz` at the root and without authentication, for probes (no data beyond up/down);
 * and answers 404 anywhere else.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { Database } from '../../db/database.ts';
import type { SchemaContext } from '../../schema/context.ts';
import { listen, stopServing } from '../http/listen.ts';
import type { Config } from '../config.ts';
import { createApiServices } from '../http/api-services.ts';
import { createGraphqlEndpoint } from '../http/graphql-endpoint.ts';
import { graphqlBodyRefusal } from '../security/body-limit.ts';
import type { Logger } from '../logger.ts';
import { createBasicAuth } from './basic-auth.ts';
import { renderMonitorPage } from './page.ts';

export interface MonitorApp {
  readonly server: Server;
  readonly services: SchemaContext;
  /** The path everything but the probes lives under ('' for the root). */
  readonly prefix: string;
  start(port?: number, host?: string): Promise<{ port: number; url: string }>;
  stop(): Promise<void>;
}

/** `/flower`, `flower`, `/flower/` → `/flower`; `/` or empty → '' (the root). */
export function normalizePrefix(prefix: string): string {
  const trimmed = prefix.trim().replace(/^\/+|\/+$/g, '');
  return trimmed ? `/${trimmed}` : '';
}

export function buildMonitorApp(options: { config: Config; db: Database; log: Logger }): MonitorApp {
  const { config, log } = options;
  const prefix = normalizePrefix(config.monitor.urlPrefix);
  const api = createApiServices(options);
  const graphql = createGraphqlEndpoint({
    services: api.services,
    log,
    endpoint: `${prefix}/graphql`,
    title: 'Sync Orchestrator monitor · GraphiQL',
    limits: config.graphql,
    maxPayloadBytes: config.http.bodyLimitBytes,
  });
  const auth = createBasicAuth(config.monitor.basicAuth);
  const page = renderMonitorPage(prefix);

  function sendJson(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      void api.readiness().then((checks) => {
        const ok = Object.values(checks).every((v) => v === 'ok');
        // Unauthenticated: up or down per dependency, never the error text.
        const summary = Object.fromEntries(
          Object.entries(checks).map(([k, v]) => [k, v === 'ok' ? 'ok' : 'down']),
        );
        sendJson(res, ok ? 200 : 503, { status: ok ? 'ok' : 'unavailable', checks: summary });
      });
      return;
    }
    if (!auth.check(req.headers.authorization)) {
      return sendJson(
        res,
        401,
        {
          error: {
            code: 'UNAUTHENTICATED',
            message: 'Sign in with the monitor user and password',
            details: null,
          },
        },
        { 'www-authenticate': auth.challenge },
      );
    }
    if (prefix && path === prefix) {
      res.writeHead(301, { location: `${prefix}/` });
      res.end();
      return;
    }
    if (path === `${prefix}/`) {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
      });
      res.end(page);
      return;
    }
    if (path === `${prefix}/graphql`) {
      const refused = graphqlBodyRefusal(req, config.http.bodyLimitBytes);
      if (refused) {
        res.setHeader('connection', 'close');
        return sendJson(res, refused.status, refused.body);
      }
      void graphql.yoga(req, res);
      return;
    }
    if (path === `${prefix}/metrics`) {
      void api.metrics.handle(req, res);
      return;
    }
    sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `Nothing at ${path}`, details: null } });
  });

  // The WebSocket handshake carries the browser's Basic credentials like any same-origin request.
  const ws = graphql.attachWebSocket(server, {
    verifyClient: (info, done) => {
      if (auth.check(info.req.headers.authorization)) done(true);
      else done(false, 401, 'Unauthorized', { 'WWW-Authenticate': auth.challenge });
    },
  });

  return {
    server,
    services: api.services,
    prefix,
    async start(port = config.monitor.port, host = config.http.host) {
      await api.redisReady();
      const bound = await listen(server, port, host);
      if (!auth.enabled)
        log.warn('FLOWER_BASIC_AUTH is not set: the monitor is open to anyone who can reach it');
      return bound;
    },
    async stop() {
      await stopServing({ server, ws, api });
    },
  };
}
