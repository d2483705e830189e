/**
 * API errors as operators should read them: the server's `extensions.code` (VALIDATION_FAILED, JOB_NOT_FOUND, …)
 * with its message, the field problems of a validation error, or what went wrong on the network.
 */
import type { CombinedError } from '@urql/core';

export interface ApiProblem {
  code: string;
  message: string;
  /** `extensions.details.problems` of VALIDATION_FAILED: which field, and what is wrong with it. */
  problems: { path: string; message: string }[];
}

function problemsOf(details: unknown): ApiProblem['problems'] {
  const list = (details as { problems?: unknown } | null | undefined)?.problems;
  if (!Array.isArray(list)) return [];
  return list
    .filter((p): p is { path?: unknown; message?: unknown } => typeof p === 'object' && p !== null)
    .map((p) => ({
      path: typeof p.path === 'string' ? p.path : '',
      message: typeof p.message === 'string' ? p.message : JSON.stringify(p.message ?? ''),
    }));
}

export function describeApiError(error: CombinedError | Error | null | undefined): ApiProblem[] {
  if (!error) return [];
  const combined = error as Partial<CombinedError>;
  const out: ApiProblem[] = [];
  for (const e of combined.graphQLErrors ?? []) {
    const code = typeof e.extensions?.code === 'string' ? e.extensions.code : 'GRAPHQL_ERROR';
    out.push({ code, message: e.message, problems: problemsOf(e.extensions?.details) });
  }
  if (combined.networkError) {
    out.push({
      code: 'NETWORK_ERROR',
      message: `Could not reach the API (${combined.networkError.message})`,
      problems: [],
    });
  }
  if (out.length === 0) out.push({ code: 'ERROR', message: error.message, problems: [] });
  return out;
}
