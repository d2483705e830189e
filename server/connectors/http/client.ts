/**
 * The platform HTTP client (global fetch): one per integration and base URL. Every call goes through, in order:
 * the dry-run guard, the integration's circuit breaker, its shared rate limiter (Redis), the auth strategy's
 * headers, and a per-call timeout. Responses correct the limiter (the platform's headers; a 429 blocks the whole
 * integration until Retry-After), 5xx/timeouts/network errors are retried with backoff only when the call is
 * idempotent, a 401 gets one refresh and one more try, and errors count against the breaker's budget.
 * Each call is logged with method, path, status and duration; never headers, query strings or bodies.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { Logger } from '../../logger.ts';
import type { Breaker } from './breaker.ts';
import {
  DryRunWriteRefused,
  PlatformAuthError,
  PlatformRateLimitedError,
  PlatformRequestError,
  PlatformUnavailableError,
} from './errors.ts';
import { createRateLimiter, rateLimitKey } from './rate-limiter.ts';
import type {
  AuthStrategy,
  PlatformHttp,
  PlatformRequest,
  PlatformResponse,
  RateLimitPolicy,
} from './types.ts';

export interface RetryPolicy {
  /** Further tries of an idempotent call after a 5xx, timeout or network error. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** 429s one call may wait out before it gives up with PlatformRateLimitedError. */
  maxRateLimitWaits: number;
  /** A Retry-After longer than this is not waited out inside the call (the job is retried later instead). */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 3,
  baseDelayMs: 250,
  maxDelayMs: 8000,
  maxRateLimitWaits: 6,
  maxRetryAfterMs: 120_000,
};

export const DEFAULT_TIMEOUT_MS = 30_000;

/** What the layer needs from the process and the job: shared by every client of one integration in one run. */
export interface PlatformHttpDeps {
  integrationId: string;
  redis: Redis;
  /** Redis key prefix of the deployment. */
  redisPrefix: string;
  breaker: Breaker;
  dryRun: boolean;
  log: Logger;
  retry?: Partial<RetryPolicy>;
  fetch?: typeof fetch;
}

export interface PlatformHttpOptions {
  baseUrl: string;
  rateLimit: RateLimitPolicy;
  auth: AuthStrategy;
  defaultHeaders?: Record<string, string>;
  timeoutMs?: number;
}

const tokenCalls = new AsyncLocalStorage<true>();

/**
 * Runs `fn` as a token call: a token endpoint changes no platform data, so its POST is let through in a dry run
 * (a dry run still has to refresh an expired token to read).
 */
export function asTokenCall<T>(fn: () => Promise<T>): Promise<T> {
  return tokenCalls.run(true, fn);
}

/** An auth strategy with fixed headers (a token that does not expire); a 401 means the credentials are bad. */
export function staticAuth(headers: Record<string, string> = {}): AuthStrategy {
  return {
    headers: () => Promise.resolve(headers),
    onUnauthorized: () => Promise.resolve(false),
  };
}

/** Retry-After in seconds or as an HTTP date, in ms from now; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

function backoffMs(policy: RetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  // "Equal jitter": at least half the step, so retries never bunch up at zero.
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

function buildUrl(baseUrl: string, path: string, query: PlatformRequest['query']): URL {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const url = new URL(path.replace(/^\//, ''), base);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) url.searchParams.append(key, String(v));
    else url.searchParams.append(key, String(value));
  }
  return url;
}

function encodeBody(body: unknown): { body?: BodyInit; contentType?: string } {
  if (body === undefined) return {};
  if (body instanceof URLSearchParams) return { body };
  if (typeof body === 'string') return { body };
  return { body: JSON.stringify(body), contentType: 'application/json' };
}

function describeError(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause;
    const causeText = cause instanceof Error ? `: ${cause.message}` : '';
    return `${err.message}${causeText}`;
  }
  return String(err);
}

/** Reads a body as JSON when it says so, else as text; null when empty. Throws SyntaxError on bad JSON. */
async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text === '') return null;
  const type = res.headers.get('content-type') ?? '';
  if (/json/i.test(type)) return JSON.parse(text) as unknown;
  return text;
}

export function createPlatformHttp(deps: PlatformHttpDeps, options: PlatformHttpOptions): PlatformHttp {
  const retry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...deps.retry };
  const doFetch = deps.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const limiter = createRateLimiter(
    deps.redis,
    rateLimitKey(deps.redisPrefix, deps.integrationId),
    options.rateLimit,
  );
  const { breaker, log } = deps;

  async function sleep(ms: number, signal: AbortSignal): Promise<void> {
    try {
      await delay(ms, undefined, { signal });
    } catch (err) {
      signal.throwIfAborted();
      throw err;
    }
  }

  async function correctFromHeaders(headers: Headers): Promise<void> {
    const view = options.rateLimit.fromHeaders?.(headers);
    if (!view) return;
    // With no call left, the next one is possible after one refill step at most; the platform's reset time
    // (which may mean "until the bucket is empty") only shortens that.
    const step = Math.ceil(1000 / Math.max(0.001, options.rateLimit.perSecond));
    const blockMs = view.remaining <= 0 ? Math.min(Math.max(0, view.resetMs), step) : 0;
    await limiter.cap(view.remaining, blockMs);
  }

  async function send<T>(req: PlatformRequest): Promise<PlatformResponse<T>> {
    const { signal } = req;
    const idempotent = req.idempotent ?? (req.method === 'GET' || req.method === 'PUT');
    const url = buildUrl(options.baseUrl, req.path, req.query);
    const encoded = encodeBody(req.body);
    let failures = 0;
    let rateLimitWaits = 0;
    let refreshed = false;

    for (;;) {
      signal.throwIfAborted();
      await breaker.check();
      await limiter.acquire(signal);
      const authHeaders = await options.auth.headers(signal);
      const headers: Record<string, string> = {
        accept: 'application/json',
        ...options.defaultHeaders,
        ...(encoded.contentType ? { 'content-type': encoded.contentType } : {}),
        ...authHeaders,
        ...req.headers,
      };
      const started = performance.now();
      const callSignal = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
      let res: Response;
      let body: unknown;
      try {
        res = await doFetch(url, {
          method: req.method,
          headers,
          ...(encoded.body !== undefined ? { body: encoded.body } : {}),
          signal: callSignal,
        });
        body = await readBody(res);
      } catch (err) {
        signal.throwIfAborted();
        const ms = Math.round(performance.now() - started);
        const timedOut = callSignal.aborted;
        const problem = timedOut
          ? `timed out after ${timeoutMs} ms`
          : err instanceof SyntaxError
            ? 'sent a body that is not valid JSON'
            : `network error (${describeError(err)})`;
        log.warn({ method: req.method, path: req.path, ms, error: problem }, 'platform call failed');
        await breaker.failure('PLATFORM_UNAVAILABLE', `${req.method} ${req.path} ${problem}`, true);
        if (idempotent && failures < retry.maxRetries) {
          await sleep(backoffMs(retry, failures), signal);
          failures++;
          continue;
        }
        throw new PlatformUnavailableError(`${req.method} ${req.path} ${problem}`);
      }
      const ms = Math.round(performance.now() - started);
      const status = res.status;
      await correctFromHeaders(res.headers);
      const entry = { method: req.method, path: req.path, status, ms };
      if (status < 400) log.debug(entry, 'platform call');
      else log.warn(entry, 'platform call failed');

      if (status === 429) {
        const retryAfter = parseRetryAfter(res.headers.get('retry-after'));
        const waitMs = retryAfter ?? backoffMs(retry, rateLimitWaits);
        // Blocks every process and job of the integration, not only this call.
        await limiter.block(waitMs);
        await breaker.failure('RATE_LIMITED', `${req.method} ${req.path} got 429`, false);
        rateLimitWaits++;
        if (rateLimitWaits > retry.maxRateLimitWaits || waitMs > retry.maxRetryAfterMs) {
          throw new PlatformRateLimitedError(
            `${req.method} ${req.path} is still rate limited (retry after ${waitMs} ms)`,
            waitMs,
          );
        }
        // A 429 was not processed, so even a non-idempotent call may be sent again.
        continue;
      }
      if (status === 401) {
        if (!refreshed) {
          refreshed = true;
          if (await options.auth.onUnauthorized(signal, authHeaders)) continue;
        }
        throw new PlatformAuthError(`The platform refused the credentials (401 on ${req.path})`, 401);
      }
      if (status === 402) {
        throw new PlatformAuthError('The platform refused the account: payment required (402)', 402);
      }
      if (status >= 500) {
        await breaker.failure('PLATFORM_UNAVAILABLE', `${req.method} ${req.path} answered ${status}`, true);
        if (idempotent && failures < retry.maxRetries) {
          await sleep(backoffMs(retry, failures), signal);
          failures++;
          continue;
        }
        throw new PlatformUnavailableError(`${req.method} ${req.path} answered ${status}`, status);
      }
      if (status >= 400) {
        await breaker.failure('REQUEST_REJECTED', `${req.method} ${req.path} answered ${status}`, false);
        throw new PlatformRequestError(`${req.method} ${req.path} answered ${status}`, status, body);
      }
      await breaker.success();
      return { status, headers: res.headers, body: body as T };
    }
  }

  return {
    async request<T>(req: PlatformRequest): Promise<PlatformResponse<T>> {
      if (deps.dryRun && req.method !== 'GET' && !req.readOnly && !tokenCalls.getStore()) {
        throw new DryRunWriteRefused(req.method, req.path);
      }
      try {
        return await send<T>(req);
      } catch (err) {
        // Bad credentials (here, or from a failed refresh in the auth strategy) open the breaker at once.
        if (err instanceof PlatformAuthError) {
          await breaker.trip('AUTH_FAILED', err.message);
          // The job looks at the pause again as often as the breaker says, not after the error's default wait.
          throw new PlatformAuthError(err.message, err.status, breaker.pausedRecheckMs);
        }
        throw err;
      }
    },
  };
}
