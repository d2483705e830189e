/**
 * Per-caller write limits shared by every API replica: a one-minute window, opened by the caller's first write, counted
 * in Redis by one Lua script (INCRBY + PEXPIRE in one round trip, so replicas never race). The caller is the API key when the request
 * carries one, else the client IP. GraphQL counts each mutation field, REST each POST/DELETE.
 *
 * When Redis cannot answer, writes are let through (and a warning logged): the API keeps accepting jobs while Redis
 * is down, as it does everywhere else.
 */
import type { Redis } from 'ioredis';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';

const WINDOW_MS = 60_000;

// KEYS[1] the caller's counter; ARGV[1] points, ARGV[2] window ms. The window opens at the caller's first write.
// Returns {count in the window, ms until it closes}.
const CONSUME = `
local count = redis.call('INCRBY', KEYS[1], tonumber(ARGV[1]))
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
  ttl = tonumber(ARGV[2])
end
return {count, ttl}
`;

export type RateDecision =
  | { allowed: true; remaining: number }
  | { allowed: false; retryAfterSeconds: number };

export interface WriteRateLimiter {
  /** Limit per window; 0 means the limiter lets everything through. */
  readonly limit: number;
  /** Counts `points` writes for `caller` and says whether they fit in the current window. */
  consume(caller: string, points?: number): Promise<RateDecision>;
  /** As consume, but throws AppError RATE_LIMITED (details.retryAfter in seconds) when over the limit. */
  enforce(caller: string, points?: number): Promise<void>;
}

/** The error a caller over its limit gets; `details.retryAfter` is in whole seconds. */
export function rateLimitedError(retryAfterSeconds: number, limit: number): AppError {
  return new AppError(
    'RATE_LIMITED',
    `Too many writes: the limit is ${limit} a minute per API key (per address without one); try again in ${retryAfterSeconds} s`,
    { retryAfter: retryAfterSeconds, limit },
  );
}

/** Whom a request is counted against: its API key, else its client IP. */
export function rateLimitCaller(keyId: string | null | undefined, ip: string | null | undefined): string {
  return keyId ? `key:${keyId}` : `ip:${ip ?? 'unknown'}`;
}

export function createWriteRateLimiter(options: {
  redis: Redis;
  prefix: string;
  perMinute: number;
  log: Logger;
}): WriteRateLimiter {
  const { redis, prefix, perMinute: limit, log } = options;
  const limiter: WriteRateLimiter = {
    limit,
    async consume(caller, points = 1) {
      if (limit <= 0) return { allowed: true, remaining: Number.POSITIVE_INFINITY };
      const key = `${prefix}:ratelimit:writes:${caller}`;
      let count: number;
      let msLeft: number;
      try {
        const reply = (await redis.eval(CONSUME, 1, key, Math.max(1, points), WINDOW_MS)) as [number, number];
        [count, msLeft] = reply.map(Number) as [number, number];
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'rate limit not checked: redis unavailable');
        return { allowed: true, remaining: limit };
      }
      if (count <= limit) return { allowed: true, remaining: limit - count };
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(msLeft / 1000)) };
    },
    async enforce(caller, points = 1) {
      const decision = await limiter.consume(caller, points);
      if (!decision.allowed) throw rateLimitedError(decision.retryAfterSeconds, limit);
    },
  };
  return limiter;
}
