import { GraphQLError } from 'graphql';
import { createGraphQLError, maskError as yogaMaskError } from 'graphql-yoga';
import { isDatabaseUnavailable } from '../../db/availability.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';

/** AppErrors become typed GraphQL errors with `extensions.code`; anything unexpected is logged in full and masked. */
export function createMaskError(log: Logger) {
  return (error: unknown, message: string): Error => {
    const original = error instanceof GraphQLError ? error.originalError : error;
    if (original instanceof AppError) {
      const gql = error instanceof GraphQLError ? error : undefined;
      return createGraphQLError(original.message, {
        ...(gql?.nodes ? { nodes: gql.nodes } : {}),
        ...(gql?.path ? { path: gql.path } : {}),
        extensions: { code: original.code, details: original.details ?? null },
      });
    }
    if (error instanceof GraphQLError && !error.originalError) {
      // graphql-js's own request errors (e.g. a null for a non-null variable) carry no code: the client's mistake.
      if (!error.path && error.extensions.code === undefined) {
        return createGraphQLError(error.message, {
          ...(error.nodes ? { nodes: error.nodes } : {}),
          extensions: { ...error.extensions, code: 'VALIDATION_FAILED', details: null },
        });
      }
      return error;
    }
    // Before execution (no path) graphql-js reports bad variables (wrong type, unknown enum value, a scalar that
    // does not parse) as GraphQLErrors all the way down: the client's mistake, not an internal one.
    if (error instanceof GraphQLError && !error.path && isRequestError(error)) {
      return createGraphQLError(error.message, {
        ...(error.nodes ? { nodes: error.nodes } : {}),
        extensions: {
          ...error.extensions,
          code: error.extensions.code ?? 'VALIDATION_FAILED',
          details: null,
        },
      });
    }
    if (isDatabaseUnavailable(original)) {
      // A Postgres restart or failover: the request may succeed in a moment, and it is not the client's mistake.
      log.warn({ err: original }, 'database unavailable during a GraphQL request');
      const gql = error instanceof GraphQLError ? error : undefined;
      return createGraphQLError('The database is unavailable; retry shortly', {
        ...(gql?.nodes ? { nodes: gql.nodes } : {}),
        ...(gql?.path ? { path: gql.path } : {}),
        extensions: { code: 'SERVICE_UNAVAILABLE', details: null },
      });
    }
    log.error({ err: original }, 'unexpected error in GraphQL resolver');
    const masked = yogaMaskError(error, message, false);
    if (masked instanceof GraphQLError) {
      return createGraphQLError(masked.message, {
        ...(masked.nodes ? { nodes: masked.nodes } : {}),
        ...(masked.path ? { path: masked.path } : {}),
        extensions: { code: 'INTERNAL_ERROR' },
      });
    }
    return masked;
  };
}

function isRequestError(error: unknown): error is GraphQLError {
  return (
    error instanceof GraphQLError && (error.originalError == null || isRequestError(error.originalError))
  );
}
