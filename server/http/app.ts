/**
 * The API process: GraphQL (yoga, GraphiQL served without a CDN) at /graphql, the REST shim at /api/sync/*,
 * health at /healthz and /readyz — all on one node http server.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga } from 'graphql-yoga';
import { useServer } from 'graphql-ws/use/ws';
import { Redis } from 'ioredis';
import { WebSocketServer } from 'ws';
import { sql } from 'kysely';
import type { Database } from '../../db/database.ts';
import { buildSchema, type SchemaContext } from '../../schema/index.ts';
import type { Config } from '../config.ts';
import { createJobEventPublisher } from '../events/job-events.ts';
import { createLiveFeed } from '../events/live-feed.ts';
import { createIntegrationService } from '../integrations/integration-service.ts';
import { createSyncJobService } from '../jobs/sync-job-service.ts';
import type { Logger } from '../logger.ts';
import { createQueueTransport, openBeeQueues } from '../queue/transport.ts';
import { createScheduleService } from '../schedules/schedule-service.ts';
import { createDashboardAssets } from './dashboard-assets.ts';
import { createMaskError } from './graphql-errors.ts';
import { createRestHandler } from './rest.ts';

export interface ApiApp {
  readonly server: Server;
  readonly services: SchemaContext;
  start(port?: number, host?: string): Promise<{ port: number; url: string }>;
  stop(): Promise<void>;
}

export function buildApiApp(options: { config: Config; db: Database; log: Logger }): ApiApp {
  const { config, db, log } = options;
  const redis = new Redis(config.redis.url, { maxRetriesPerRequest: 2, enableOfflineQueue: false });
  redis.on('error', (err) => log.warn({ err: err.message }, 'redis error'));
  const transport = createQueueTransport(
    () => openBeeQueues({ redisUrl: config.redis.url, prefix: config.redis.prefix, log }),
    redis,
    config.redis.prefix,
  );
  const events = createJobEventPublisher(redis, config.redis.prefix);
  const jobs = createSyncJobService({ db, transport, events, config, log });
  const subscriber = new Redis(config.redis.url, { maxRetriesPerRequest: null });
  subscriber.on('error', (err) => log.warn({ err: err.message }, 'redis subscriber error'));
  const live = createLiveFeed({
    db,
    prefix: config.redis.prefix,
    subscriber,
    publisher: redis,
    stats: () => jobs.stats(),
    log,
  });
  const services: SchemaContext = {
    jobs,
    integrations: createIntegrationService(db),
    live,
    schedules: createScheduleService({ db, config }),
  };

  const yoga = createYoga<{ req: IncomingMessage; res: ServerResponse }>({
    schema: buildSchema(),
    context: () => services,
    graphqlEndpoint: '/graphql',
    graphiql: { title: 'Sync Orchestrator GraphiQL', subscriptionsProtocol: 'WS' },
    renderGraphiQL,
    landingPage: false,
    maskedErrors: { maskError: createMaskError(log) },
    logging: {
      debug: (...args) => log.debug(args.map(String).join(' ')),
      info: (...args) => log.info(args.map(String).join(' ')),
      warn: (...args) => log.warn(args.map(String).join(' ')),
      error: (...args) => log.error(args.map(String).join(' ')),
    },
  });
  const rest = createRestHandler({ jobs: services.jobs, bodyLimitBytes: config.http.bodyLimitBytes, log });
  const dashboard = createDashboardAssets();

  function sendJson(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  }

  async function readiness(): Promise<Record<string, string>> {
    const checks: Record<string, string> = {};
    await Promise.all([
      sql`SELECT 1`
        .execute(db)
        .then(() => (checks.postgres = 'ok'))
        .catch((err: unknown) => (checks.postgres = String(err))),
      redis
        .ping()
        .then(() => (checks.redis = 'ok'))
        .catch((err: unknown) => (checks.redis = String(err))),
    ]);
    return checks;
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path.startsWith('/api/')) {
      void rest(req, res);
      return;
    }
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      void readiness().then((checks) => {
        const ok = Object.values(checks).every((v) => v === 'ok');
        sendJson(res, ok ? 200 : 503, { status: ok ? 'ok' : 'unavailable', checks });
      });
      return;
    }
    if (path.startsWith('/graphql')) {
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > config.http.bodyLimitBytes) {
        res.setHeader('connection', 'close');
        return sendJson(res, 413, {
          errors: [
            {
              message: `Body exceeds the ${config.http.bodyLimitBytes}-byte limit`,
              extensions: { code: 'PAYLOAD_TOO_LARGE' },
            },
          ],
        });
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

  // graphql-ws on the same path and port as HTTP; yoga's envelop gives it the same schema, context and errors.
  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint });
  const ws = useServer(
    {
      execute: (args: any) => args.rootValue.execute(args),
      subscribe: (args: any) => args.rootValue.subscribe(args),
      onSubscribe: async (ctx, _id, params) => {
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params,
        });
        const document = parse(params.query);
        const errors = validate(schema, document);
        if (errors.length > 0) return errors;
        return {
          schema,
          operationName: params.operationName,
          document,
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
      },
    },
    wss,
  );

  return {
    server,
    services,
    async start(port = config.http.port, host = config.http.host) {
      // Redis may be down at boot: the API still starts, records jobs, and the reconciler enqueues them later.
      await Promise.race([
        new Promise((resolve) => redis.once('ready', resolve)),
        new Promise((resolve) => setTimeout(resolve, 5000).unref()),
      ]);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const address = server.address() as AddressInfo;
      const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
      return { port: address.port, url: `http://${shownHost}:${address.port}` };
    },
    async stop() {
      // Subscribers first (graphql-ws closes with 1001 "Going away", SSE streams end), then the Redis connections
      // their unsubscribes go through.
      live.close();
      await ws.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await transport.close().catch(() => undefined);
      await subscriber.quit().catch(() => undefined);
      await redis.quit().catch(() => undefined);
    },
  };
}
