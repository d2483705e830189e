/**
 * The contract of the shared platform HTTP layer every real connector is built on. One `PlatformHttp` per
 * integration: a rate limiter shared by every worker and job type (kept in Redis) and corrected from the
 * platform's headers and 429/Retry-After; retries for idempotent calls only; single-flight token refresh that
 * saves the new tokens before using them; an error budget that stops before the platform bans the account;
 * and a dry-run guard that refuses writes.
 */

export interface PlatformRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path below the base URL, e.g. `/produtos`. */
  path: string;
  /** Repeated keys (Bling's `idsProdutos[]`) as arrays. */
  query?: Record<string, string | number | boolean | readonly (string | number)[] | undefined>;
  body?: unknown;
  /** Whether the call may be retried after a 5xx, timeout or network error. Defaults to true for GET and PUT. */
  idempotent?: boolean;
  /** Allowed in a dry run although it is not a GET (e.g. a POST that only searches). */
  readOnly?: boolean;
  headers?: Record<string, string>;
  signal: AbortSignal;
}

export interface PlatformResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** What an integration's credentials give the HTTP layer. */
export interface AuthStrategy {
  /** Headers for the next call (may refresh an expired token first, one refresh at a time per integration). */
  headers(signal: AbortSignal): Promise<Record<string, string>>;
  /**
   * Called after a 401. Returns true when a fresh token is now available and the call should be sent again
   * (once); false when the credentials are bad (the call fails with PlatformAuthError). `sent` is the object
   * `headers()` returned for the refused call, so a strategy can tell that a newer token already exists.
   */
  onUnauthorized(signal: AbortSignal, sent?: Record<string, string>): Promise<boolean>;
}

/** How the platform meters calls: a token bucket per integration, kept in Redis, shared by all processes. */
export interface RateLimitPolicy {
  /** Calls allowed in a burst. */
  burst: number;
  /** Sustained calls per second. */
  perSecond: number;
  /**
   * Reads the platform's own view from a response (e.g. Nuvemshop's X-Rate-Limit-Remaining / -Reset) so the
   * shared bucket can be corrected.
   */
  fromHeaders?(headers: Headers): { remaining: number; resetMs: number } | null;
}

export interface PlatformHttp {
  request<T = unknown>(req: PlatformRequest): Promise<PlatformResponse<T>>;
}

/**
 * Error classes the layer throws (implemented in ./errors.ts):
 * - PlatformAuthError (code AUTH_FAILED): bad or revoked credentials; the integration's breaker opens at once.
 * - PlatformUnavailableError (PLATFORM_UNAVAILABLE): 5xx/timeouts after retries; repeated ones open the breaker.
 * - PlatformRateLimitedError (RATE_LIMITED): still limited after waiting as long as allowed.
 * - PlatformRequestError (the platform's status, e.g. 400/404/422): an item-level error the caller records.
 * - IntegrationPausedError (INTEGRATION_PAUSED): the breaker is open; the job waits, others run.
 * - DryRunWriteRefused (DRY_RUN_WRITE): a write attempted in a dry run (a bug in a connector).
 */
export type PlatformErrorCode =
  | 'AUTH_FAILED'
  | 'PLATFORM_UNAVAILABLE'
  | 'RATE_LIMITED'
  | 'REQUEST_REJECTED'
  | 'INTEGRATION_PAUSED'
  | 'DRY_RUN_WRITE';
