/**
 * The rate limiter of one integration: a token bucket kept in Redis and changed only by one Lua script, so every
 * worker process and job type of the integration draws from the same bucket. The script reads Redis's own clock
 * (TIME), so processes with skewed clocks still agree. Besides taking tokens, the bucket can be blocked until an
 * instant (a 429's Retry-After: every caller waits, not only the one that got it) and capped to the platform's
 * own count of calls left (its rate-limit headers).
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { RateLimitPolicy } from './types.ts';

// KEYS[1]: the bucket. ARGV: burst, perSecond, op, a, b.
// op 'take': returns 0 when a token was taken, else the ms to wait before trying again.
// op 'block': no calls for `a` ms, and the bucket restarts empty after that.
// op 'cap': at most `a` tokens now; when `b` > 0, no calls for `b` ms.
const SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local burst = tonumber(ARGV[1])
local rate = tonumber(ARGV[2]) / 1000
local op = ARGV[3]
local a = tonumber(ARGV[4]) or 0
local b = tonumber(ARGV[5]) or 0
local s = redis.call('HMGET', KEYS[1], 'tokens', 'ts', 'blocked')
local tokens = tonumber(s[1]) or burst
local ts = tonumber(s[2]) or now
local blocked = tonumber(s[3]) or 0
if now > ts then
  tokens = math.min(burst, tokens + (now - ts) * rate)
  ts = now
end
local result = 0
if op == 'take' then
  if blocked > now then
    result = blocked - now
  elseif tokens >= 1 then
    tokens = tokens - 1
  else
    result = math.ceil((1 - tokens) / rate)
  end
elseif op == 'block' then
  if now + a > blocked then blocked = now + a end
  tokens = 0
  if blocked > ts then ts = blocked end
elseif op == 'cap' then
  if a < tokens then tokens = math.max(0, a) end
  if b > 0 and now + b > blocked then blocked = now + b end
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(ts), 'blocked', tostring(blocked))
local idle = math.ceil(burst / rate) + 60000
if blocked > now then idle = idle + (blocked - now) end
redis.call('PEXPIRE', KEYS[1], idle)
return result
`;

export interface RateLimiter {
  /** Waits until a call may be made (a token is taken), or throws the signal's reason when it is aborted. */
  acquire(signal: AbortSignal): Promise<void>;
  /** Blocks every caller of this integration for `ms` (a 429 with Retry-After). */
  block(ms: number): Promise<void>;
  /** Corrects the bucket from the platform's headers: at most `remaining` calls now. */
  cap(remaining: number, blockMs: number): Promise<void>;
}

export function rateLimitKey(prefix: string, integrationId: string): string {
  return `${prefix}:platform:rate:${integrationId}`;
}

export function createRateLimiter(
  redis: Redis,
  key: string,
  policy: Pick<RateLimitPolicy, 'burst' | 'perSecond'>,
): RateLimiter {
  const burst = Math.max(1, policy.burst);
  const perSecond = Math.max(0.001, policy.perSecond);

  async function run(op: 'take' | 'block' | 'cap', a = 0, b = 0): Promise<number> {
    const result = await redis.eval(SCRIPT, 1, key, burst, perSecond, op, Math.round(a), Math.round(b));
    return Number(result);
  }

  return {
    async acquire(signal) {
      for (;;) {
        signal.throwIfAborted();
        const waitMs = await run('take');
        if (waitMs <= 0) return;
        // A little jitter so waiters of several processes do not all ask again at the same millisecond.
        await delay(waitMs + Math.floor(Math.random() * 10), undefined, { signal });
      }
    },
    async block(ms) {
      if (ms > 0) await run('block', ms);
    },
    async cap(remaining, blockMs) {
      await run('cap', Math.max(0, remaining), Math.max(0, blockMs));
    },
  };
}
