/**
 * GraphQL over HTTP (yoga: GraphiQL served without a CDN, SSE) and graphql-ws on the same path, for any server
 * process: the API mounts it at /graphql, the monitor at `<FLOWER_URL_PREFIX>/graphql`.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { useServer } from 'graphql-ws/use/ws';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer, type ServerOptions } from 'ws';
import { buildSchema, type SchemaContext } from '../../schema/index.ts';
import type { AccessControl } from '../auth/access-control.ts';
import {
  createGraphqlContext,
  createGraphqlPolicyPlugin,
  createWebSocketAuth,
} from '../auth/graphql-auth.ts';
import type { Logger } from '../logger.ts';
import { createGraphqlLimitPlugins, type GraphqlLimits } from '../security/graphql-limits.ts';
import type { WriteRateLimiter } from '../security/rate-limit.ts';
import { createMaskError } from './graphql-errors.ts';

type ServerContext = { req: IncomingMessage; res: ServerResponse };

export interface GraphqlEndpoint {
  yoga: YogaServerInstance<ServerContext, SchemaContext>;
  /** Serves graphql-ws on `server` at the endpoint's path; yoga's envelop gives it the same schema, context and errors. */
  attachWebSocket(
    server: Server,
    options?: Pick<ServerOptions, 'verifyClient'>,
  ): { dispose(): Promise<void> };
}

export function createGraphqlEndpoint(options: {
  services: SchemaContext;
  log: Logger;
  endpoint: string;
  title: string;
  /** Depth/cost/alias/token limits, introspection and GraphiQL switches (config.graphql). */
  limits: GraphqlLimits;
  /** Largest graphql-ws message accepted, in bytes (config.http.bodyLimitBytes). */
  maxPayloadBytes: number;
  /** Counts mutations against the caller's write limit (the API; the monitor has none). */
  limiter?: WriteRateLimiter;
  /** API keys and the policy; without it (the monitor, behind its own basic auth) every operation is open. */
  access?: AccessControl;
}): GraphqlEndpoint {
  const { services, log, access } = options;
  const wsAuth = access ? createWebSocketAuth(access) : undefined;
  const yoga = createYoga<ServerContext, SchemaContext>({
    schema: buildSchema(),
    context: access ? (initial) => createGraphqlContext(access, initial) : () => services,
    plugins: [...(access ? [createGraphqlPolicyPlugin(access)] : []), ...createGraphqlLimitPlugins(options)],
    graphqlEndpoint: options.endpoint,
    graphiql: options.limits.graphiql ? { title: options.title, subscriptionsProtocol: 'WS' } : false,
    // GraphiQL's bundled page is about 35 MB of heap: loaded on the first request for it, not in every process.
    renderGraphiQL: async (graphiql) =>
      (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(graphiql),
    landingPage: false,
    maskedErrors: { maskError: createMaskError(log) },
    logging: {
      debug: (...args) => log.debug(args.map(String).join(' ')),
      info: (...args) => log.info(args.map(String).join(' ')),
      warn: (...args) => log.warn(args.map(String).join(' ')),
      error: (...args) => log.error(args.map(String).join(' ')),
    },
  });

  return {
    yoga,
    attachWebSocket(server, wsOptions = {}) {
      const wss = new WebSocketServer({
        server,
        path: yoga.graphqlEndpoint,
        // ws accepts 100 MiB messages by default; a subscribe or mutation message is bounded like an HTTP body.
        maxPayload: options.maxPayloadBytes,
        ...wsOptions,
      });
      const ws = useServer(
        {
          execute: (args: any) => args.rootValue.execute(args),
          subscribe: (args: any) => args.rootValue.subscribe(args),
          ...(wsAuth ? { onConnect: (ctx) => wsAuth.onConnect(ctx) } : {}),
          onSubscribe: async (ctx, _id, params) => {
            const refused = await wsAuth?.onSubscribe(ctx);
            if (refused) return refused;
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
        async dispose() {
          // graphql-ws closes each socket with 1001 "Going away".
          await ws.dispose();
          await new Promise<void>((resolve) => wss.close(() => resolve()));
        },
      };
    },
  };
}
