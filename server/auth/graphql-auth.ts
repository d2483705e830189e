/**
 * The policy on GraphQL, for every transport: a yoga plugin checks each root field of an operation before anything
 * executes (HTTP, SSE and graphql-ws all run through yoga's envelop), the context carries the caller, and
 * graphql-ws connections are checked on connect and again on each subscribe.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  GraphQLError,
  Kind,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import type { SchemaContext } from '../../schema/context.ts';
import { AppError } from '../errors.ts';
import type { AccessControl } from './access-control.ts';
import { operationOfField } from './policy.ts';
import type { Principal } from './principal.ts';

/** graphql-ws close codes (as in HTTP: 401 who are you, 403 not allowed). */
export const WS_CLOSE_UNAUTHENTICATED = 4401;
export const WS_CLOSE_FORBIDDEN = 4403;

const HTTP_STATUS = { UNAUTHENTICATED: 401, FORBIDDEN: 403 } as const;

function toGraphQLError(err: AppError): GraphQLError {
  const status = err.code === 'UNAUTHENTICATED' || err.code === 'FORBIDDEN' ? HTTP_STATUS[err.code] : 400;
  return createGraphQLError(err.message, {
    extensions: { code: err.code, details: err.details ?? null, http: { status } },
  });
}

/** Root fields the operation selects, through fragments; @skip/@include are ignored (every field is checked). */
function rootFields(document: DocumentNode, operationName: string | null | undefined) {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const operation = operationName
    ? operations.find((o) => o.name?.value === operationName)
    : operations.length === 1
      ? operations[0]
      : undefined;
  const fragments = new Map(
    document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d]] : [])),
  );
  const names = new Set<string>();
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode) => {
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) names.add(s.name.value);
      else if (s.kind === Kind.INLINE_FRAGMENT) walk(s.selectionSet);
      else if (!seen.has(s.name.value)) {
        seen.add(s.name.value);
        const fragment = fragments.get(s.name.value);
        if (fragment) walk(fragment.selectionSet);
      }
    }
  };
  if (operation) walk(operation.selectionSet);
  return { operation, names: [...names] };
}

function rootTypeName(schema: GraphQLSchema, operation: OperationDefinitionNode): string {
  return schema.getRootType(operation.operation)?.name ?? operation.operation;
}

/** The first refusal for the operation, or undefined when every root field is allowed. */
function check(
  access: AccessControl,
  args: {
    schema: GraphQLSchema;
    document: DocumentNode;
    operationName?: string | null;
    contextValue: unknown;
  },
): GraphQLError | undefined {
  const { operation, names } = rootFields(args.document, args.operationName);
  if (!operation) return undefined; // graphql-js reports the missing operation itself
  const principal = (args.contextValue as Partial<SchemaContext>).principal ?? null;
  const type = rootTypeName(args.schema, operation);
  try {
    for (const name of names) access.authorize(principal, operationOfField(type, name));
  } catch (err) {
    if (err instanceof AppError) return toGraphQLError(err);
    throw err;
  }
  return undefined;
}

/** The envelop plugin enforcing the policy on queries, mutations and subscriptions. */
export function createGraphqlPolicyPlugin(access: AccessControl): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const denied = check(access, args);
      if (denied) setResultAndStopExecution({ errors: [denied] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const denied = check(access, args);
      if (denied) setResultAndStopExecution({ errors: [denied] });
    },
  };
}

function bearerFromParams(params: unknown): string | undefined {
  if (!params || typeof params !== 'object') return undefined;
  const value =
    (params as Record<string, unknown>).authorization ?? (params as Record<string, unknown>).Authorization;
  return typeof value === 'string' ? value : undefined;
}

interface InitialContext {
  request?: Request;
  req?: IncomingMessage;
  res?: ServerResponse;
  connectionParams?: unknown;
}

/**
 * The GraphQL context of a request: the services as the caller may use them, and the caller. A bad key is refused
 * here (HTTP 401); SSE streams of a key are remembered so a revocation can end them.
 */
export async function createGraphqlContext(
  access: AccessControl,
  initial: InitialContext,
): Promise<SchemaContext> {
  const ws = 'connectionParams' in initial;
  const authorization = ws
    ? bearerFromParams(initial.connectionParams)
    : (initial.request?.headers.get('authorization') ?? undefined);
  let principal: Principal | null;
  try {
    principal = await access.authenticate(authorization);
  } catch (err) {
    if (err instanceof AppError) throw toGraphQLError(err);
    throw err;
  }
  const res = initial.res;
  if (!ws && principal && res && initial.request?.headers.get('accept')?.includes('text/event-stream')) {
    const unregister = access.revocations.register(principal.keyId, () => res.destroy());
    res.once('close', unregister);
  }
  return access.contextFor(principal);
}

interface WsSocket {
  close(code: number, reason: string): void;
  once(event: 'close', listener: () => void): unknown;
}

interface WsContext {
  connectionParams?: unknown;
  extra: { socket: WsSocket };
}

/** graphql-ws hooks: a connection needs a valid key (when required); each subscribe checks the key again. */
export function createWebSocketAuth(access: AccessControl) {
  async function principalOf(ctx: WsContext): Promise<Principal | null | AppError> {
    try {
      const principal = await access.authenticate(bearerFromParams(ctx.connectionParams));
      if (!principal && access.mode === 'required')
        return new AppError(
          'UNAUTHENTICATED',
          'Send an API key: connectionParams.authorization = "Bearer <key>"',
        );
      return principal;
    } catch (err) {
      if (err instanceof AppError) return err;
      throw err;
    }
  }
  const closeWith = (ctx: WsContext, err: AppError) =>
    ctx.extra.socket.close(
      err.code === 'FORBIDDEN' ? WS_CLOSE_FORBIDDEN : WS_CLOSE_UNAUTHENTICATED,
      // A close reason is at most 123 bytes.
      Buffer.from(err.message).subarray(0, 120).toString(),
    );
  return {
    async onConnect(ctx: WsContext): Promise<boolean> {
      const result = await principalOf(ctx);
      if (result instanceof AppError) {
        closeWith(ctx, result);
        return false;
      }
      if (result) {
        const socket = ctx.extra.socket;
        const unregister = access.revocations.register(result.keyId, () =>
          socket.close(WS_CLOSE_UNAUTHENTICATED, 'The API key was revoked'),
        );
        socket.once('close', unregister);
      }
      return true;
    },
    /** Errors to answer the subscribe with (the socket is closed too), or undefined to go on. */
    async onSubscribe(ctx: WsContext): Promise<GraphQLError[] | undefined> {
      const result = await principalOf(ctx);
      if (!(result instanceof AppError)) return undefined;
      closeWith(ctx, result);
      return [toGraphQLError(result)];
    },
  };
}

export type WebSocketAuth = ReturnType<typeof createWebSocketAuth>;
