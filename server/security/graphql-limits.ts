/**
 * What bounds a GraphQL request, for every server that serves the schema (the API and the monitor): graphql-armor
 * (depth, cost, aliases, directives, tokens, no field suggestions), introspection off unless allowed, and the
 * per-caller write limit on mutations. Every refusal is a typed error: QUERY_TOO_COMPLEX, FORBIDDEN (introspection),
 * or RATE_LIMITED with `retryAfter` and HTTP 429 + Retry-After.
 */
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import {
  GraphQLError,
  Kind,
  NoSchemaIntrospectionCustomRule,
  OperationTypeNode,
  type DocumentNode,
  type OperationDefinitionNode,
  type ValidationContext,
} from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import type { Config } from '../config.ts';
import { rateLimitCaller, rateLimitedError, type WriteRateLimiter } from './rate-limit.ts';

export type GraphqlLimits = Config['graphql'];

/** Armor reports "Syntax Error: …" without a code; this gives each refusal ours. */
const typeArmorRejection = (_ctx: unknown, error: GraphQLError): void => {
  const extensions = error.extensions as Record<string, unknown>;
  extensions.code = 'QUERY_TOO_COMPLEX';
  extensions.details = null;
};

function armor(limits: GraphqlLimits) {
  const common = { onReject: [typeArmorRejection], propagateOnRejection: true, exposeLimits: true };
  return EnvelopArmorPlugin({
    maxDepth: { ...common, n: limits.maxDepth, ignoreIntrospection: true },
    costLimit: { ...common, maxCost: limits.maxCost, ignoreIntrospection: true },
    maxAliases: { ...common, n: limits.maxAliases },
    maxDirectives: { ...common, n: 50 },
    maxTokens: { ...common, n: limits.maxTokens },
    blockFieldSuggestion: { enabled: true },
  });
}

/** Introspection off: a typed FORBIDDEN validation error instead of graphql-js's bare one. */
function noIntrospection(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule((context: ValidationContext) => {
        // The rule reports through the context; a view of it whose reportError types the error.
        const typed = Object.create(context, {
          reportError: {
            value: (error: GraphQLError) =>
              context.reportError(
                createGraphQLError('Introspection is disabled on this server (GRAPHQL_INTROSPECTION)', {
                  ...(error.nodes ? { nodes: error.nodes } : {}),
                  extensions: { code: 'FORBIDDEN', details: null },
                }),
              ),
          },
        }) as ValidationContext;
        return NoSchemaIntrospectionCustomRule(typed);
      });
    },
  };
}

interface LimitContext {
  principal?: { keyId?: string | null } | null;
  req?: { socket?: { remoteAddress?: string | undefined } };
}

/** Mutation fields in the operation that will run (each root field is one write). */
function mutationFields(document: DocumentNode, operationName?: string | null) {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const op = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  if (!op || op.operation !== OperationTypeNode.MUTATION) return 0;
  return Math.max(1, op.selectionSet.selections.length);
}

/** Mutations count against the caller's write limit; over it, the operation does not run. */
function writeLimit(limiter: WriteRateLimiter): Plugin {
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const points = mutationFields(args.document, args.operationName);
      if (points === 0) return;
      const ctx = (args.contextValue ?? {}) as LimitContext;
      const caller = rateLimitCaller(ctx.principal?.keyId, ctx.req?.socket?.remoteAddress);
      const decision = await limiter.consume(caller, points);
      if (decision.allowed) return;
      const err = rateLimitedError(decision.retryAfterSeconds, limiter.limit);
      setResultAndStopExecution({
        errors: [
          createGraphQLError(err.message, {
            extensions: {
              code: 'RATE_LIMITED',
              retryAfter: decision.retryAfterSeconds,
              details: err.details,
              // yoga turns this into the HTTP status and header, and leaves it out of the body.
              http: { status: 429, headers: { 'Retry-After': String(decision.retryAfterSeconds) } },
            },
          }),
        ],
      });
    },
  };
}

/** The yoga plugins that bound requests; `limiter` only where writes are limited (the API). */
export function createGraphqlLimitPlugins(options: {
  limits: GraphqlLimits;
  limiter?: WriteRateLimiter | undefined;
}): Plugin[] {
  const { limits, limiter } = options;
  return [
    armor(limits) as Plugin,
    ...(limits.introspection ? [] : [noIntrospection()]),
    ...(limiter && limiter.limit > 0 ? [writeLimit(limiter)] : []),
  ];
}
