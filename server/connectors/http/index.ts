/** The shared platform HTTP layer: the client, its auth strategies, its breaker and its errors. */
export * from './types.ts';
export * from './errors.ts';
export {
  asTokenCall,
  createPlatformHttp,
  DEFAULT_RETRY_POLICY,
  DEFAULT_TIMEOUT_MS,
  parseRetryAfter,
  staticAuth,
  type PlatformHttpDeps,
  type PlatformHttpOptions,
  type RetryPolicy,
} from './client.ts';
export { createBreaker, DEFAULT_BREAKER_POLICY, type Breaker, type BreakerPolicy } from './breaker.ts';
export { createOAuthStrategy, type OAuthStrategyDeps, type OAuthStrategyOptions } from './oauth.ts';
export { createRateLimiter, rateLimitKey, type RateLimiter } from './rate-limiter.ts';
