/** Every error a client can see has a code from this closed list; unexpected errors are masked as INTERNAL_ERROR. */
export const ERROR_HTTP_STATUS = {
  VALIDATION_FAILED: 400,
  INVALID_JSON: 400,
  UNKNOWN_PARAMETER: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  INTEGRATION_NOT_FOUND: 404,
  JOB_NOT_FOUND: 404,
  SCHEDULE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  JOB_ALREADY_FINISHED: 409,
  JOB_STATE_CONFLICT: 409,
  INTEGRATION_DISABLED: 409,
  LENGTH_REQUIRED: 411,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** Over the per-key write limit; `details.retryAfter` (and the Retry-After header) say when to try again. */
  RATE_LIMITED: 429,
  /** Over a GraphQL limit: depth, cost, aliases, directives or tokens. */
  QUERY_TOO_COMPLEX: 400,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_HTTP_STATUS;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }

  get httpStatus(): number {
    return ERROR_HTTP_STATUS[this.code];
  }
}

/** A handler error worth retrying (network blips, 5xx, rate limits). */
export class TransientError extends Error {
  constructor(
    message: string,
    readonly code = 'TRANSIENT',
  ) {
    super(message);
    this.name = 'TransientError';
  }
}

/** A handler error that retrying cannot fix (bad credentials, invalid payload): the job fails at once. */
export class PermanentError extends Error {
  constructor(
    message: string,
    readonly code = 'PERMANENT',
  ) {
    super(message);
    this.name = 'PermanentError';
  }
}

/**
 * A handler error that means "not now": the job goes back to its queue until `retryAt` without spending an attempt
 * (e.g. its integration is paused by the circuit breaker, or its credentials need reconnecting).
 */
export class JobDeferred extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly retryAt: Date,
  ) {
    super(message);
    this.name = 'JobDeferred';
  }
}

/** Anything thrown, as an Error. */
export function coerceError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === 'string' ? value : JSON.stringify(value));
}
