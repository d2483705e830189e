/**
 * The errors the platform HTTP layer throws, each with a code from `PlatformErrorCode`. They extend the job
 * runner's conventions (server/errors.ts) so a job reacts the right way without knowing about platforms:
 * - bad credentials and an open breaker defer the job (it waits, without spending an attempt, while other
 *   integrations' jobs run);
 * - an outage or a rate limit that outlasts the wait is transient (the job is retried with backoff);
 * - a rejected request is permanent for the call (connectors record it as an item error);
 * - a write in a dry run is a connector bug and fails the job.
 */
import { JobDeferred, PermanentError, TransientError } from '../../errors.ts';
import type { PlatformErrorCode } from './types.ts';

/** How long a job waits before looking again at an integration whose breaker has no reopening time. */
export const DEFAULT_PAUSED_RECHECK_MS = 30_000;

function recheckAt(ms: number | undefined): Date {
  return new Date(Date.now() + (ms ?? DEFAULT_PAUSED_RECHECK_MS));
}

/** Bad or revoked credentials (401 after one refresh, failed refresh, 402): the integration's breaker opens at once. */
export class PlatformAuthError extends JobDeferred {
  override readonly code = 'AUTH_FAILED' as const;
  constructor(
    message: string,
    readonly status: number | null = null,
    retryInMs?: number,
  ) {
    super(message, 'AUTH_FAILED', recheckAt(retryInMs));
    this.name = 'PlatformAuthError';
  }
}

/** The integration's breaker is open: its jobs wait until it closes (reopening time, reconnect or resume). */
export class IntegrationPausedError extends JobDeferred {
  override readonly code = 'INTEGRATION_PAUSED' as const;
  constructor(
    readonly integrationId: string,
    readonly reason: string,
    /** When the breaker lets calls through again by itself; null when only a reconnect or resume does. */
    readonly pausedUntil: Date | null,
    retryInMs?: number,
  ) {
    const retryAt = pausedUntil && pausedUntil.getTime() > Date.now() ? pausedUntil : recheckAt(retryInMs);
    super(`The integration is paused: ${reason}`, 'INTEGRATION_PAUSED', retryAt);
    this.name = 'IntegrationPausedError';
  }
}

/** 5xx, timeouts and network errors that outlasted the retries (or a non-idempotent call that cannot retry). */
export class PlatformUnavailableError extends TransientError {
  override readonly code = 'PLATFORM_UNAVAILABLE' as const;
  constructor(
    message: string,
    readonly status: number | null = null,
  ) {
    super(message, 'PLATFORM_UNAVAILABLE');
    this.name = 'PlatformUnavailableError';
  }
}

/** Still rate limited after waiting as long as allowed. */
export class PlatformRateLimitedError extends TransientError {
  override readonly code = 'RATE_LIMITED' as const;
  constructor(
    message: string,
    readonly retryAfterMs: number | null,
  ) {
    super(message, 'RATE_LIMITED');
    this.name = 'PlatformRateLimitedError';
  }
}

/** The platform refused this request (400/403/404/409/422…): an item-level error the caller records. */
export class PlatformRequestError extends PermanentError {
  override readonly code = 'REQUEST_REJECTED' as const;
  constructor(
    message: string,
    readonly status: number,
    /** The platform's error body, parsed when it was JSON. */
    readonly body: unknown,
  ) {
    super(message, 'REQUEST_REJECTED');
    this.name = 'PlatformRequestError';
  }
}

/** A write attempted in a dry run: the connector should have reported the write instead of sending it. */
export class DryRunWriteRefused extends PermanentError {
  override readonly code = 'DRY_RUN_WRITE' as const;
  constructor(method: string, path: string) {
    super(`Refused ${method} ${path} in a dry run`, 'DRY_RUN_WRITE');
    this.name = 'DryRunWriteRefused';
  }
}

export type PlatformError =
  | PlatformAuthError
  | IntegrationPausedError
  | PlatformUnavailableError
  | PlatformRateLimitedError
  | PlatformRequestError
  | DryRunWriteRefused;

/** The platform error code of anything thrown, or null when it is not one of the layer's errors. */
export function platformErrorCode(err: unknown): PlatformErrorCode | null {
  if (
    err instanceof PlatformAuthError ||
    err instanceof IntegrationPausedError ||
    err instanceof PlatformUnavailableError ||
    err instanceof PlatformRateLimitedError ||
    err instanceof PlatformRequestError ||
    err instanceof DryRunWriteRefused
  )
    return err.code;
  return null;
}
