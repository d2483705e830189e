/**
 * The OAuth strategy of an integration (ConnectorContext.oauth). Tokens live sealed in `integration_tokens`, seeded
 * on first use from the credentials. A refresh — when the access token has expired, or after a 401 — is done by one
 * process at a time: it takes a Redis lock for the integration, reads the stored tokens again (another process may
 * have refreshed while it waited: then those are used and no refresh happens), calls the platform, and saves the
 * new tokens (compare-and-set on the row's version) before the new access token is used. A refresh token is sent
 * once: Mercado Livre's are single-use, so a reused one would disconnect the seller. A refused refresh
 * (invalid_grant) is a PlatformAuthError, which opens the integration's breaker.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Database } from '../../../db/database.ts';
import {
  getIntegrationTokens,
  replaceIntegrationTokens,
  seedIntegrationTokens,
  type StoredTokens,
} from '../../../db/queries/integration-token.ts';
import type { Logger } from '../../logger.ts';
import type { SecretBox } from '../../security/secret-box.ts';
import type { OAuthTokens } from '../platform.ts';
import { asTokenCall } from './client.ts';
import { PlatformAuthError, PlatformRequestError, PlatformUnavailableError } from './errors.ts';
import type { AuthStrategy } from './types.ts';

export interface OAuthStrategyDeps {
  db: Database;
  redis: Redis;
  redisPrefix: string;
  box: SecretBox;
  integrationId: string;
  log: Logger;
  /** The tokens to store when none are stored yet (from the credentials); null when the credentials carry none. */
  initialTokens(): OAuthTokens | null;
  /** A token expiring within this margin is refreshed before use. */
  expirySkewMs?: number;
  /** How long the refresh lock is held at most (a crashed holder frees it after this). */
  lockTtlMs?: number;
}

export interface OAuthStrategyOptions {
  refresh(refreshToken: string, signal: AbortSignal): Promise<OAuthTokens>;
  authorize?(accessToken: string): Record<string, string>;
}

const tokensSchema = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  expiresAt: z.iso.datetime(),
});

// Deletes the lock only if it still holds our token: a lock that expired and was taken by another process stays.
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

interface Current {
  tokens: OAuthTokens;
  version: number;
}

export function tokenLockKey(prefix: string, integrationId: string): string {
  return `${prefix}:platform:token-lock:${integrationId}`;
}

export function createOAuthStrategy(deps: OAuthStrategyDeps, options: OAuthStrategyOptions): AuthStrategy {
  const { db, redis, box, integrationId, log } = deps;
  const skewMs = deps.expirySkewMs ?? 60_000;
  const lockTtlMs = deps.lockTtlMs ?? 60_000;
  const lockKey = tokenLockKey(deps.redisPrefix, integrationId);
  const authorize = (accessToken: string): Record<string, string> =>
    options.authorize ? options.authorize(accessToken) : { authorization: `Bearer ${accessToken}` };
  let current: Current | undefined;
  let refreshing: Promise<Current> | undefined;
  /** Which token version each handed-out header object carried, to tell a stale 401 from a fresh one. */
  const issued = new WeakMap<Record<string, string>, number>();

  function open(stored: StoredTokens): Current {
    const parsed = tokensSchema.safeParse(JSON.parse(box.open(stored.sealed)));
    if (!parsed.success)
      throw new PlatformAuthError('The stored tokens are unreadable; reconnect the integration');
    const t = parsed.data;
    return {
      tokens: { accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: new Date(t.expiresAt) },
      version: stored.version,
    };
  }

  function seal(tokens: OAuthTokens): { sealed: string; expiresAt: Date } {
    const plain = JSON.stringify({
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      expiresAt: tokens.expiresAt.toISOString(),
    });
    return { sealed: box.seal(plain), expiresAt: tokens.expiresAt };
  }

  function fresh(c: Current): boolean {
    return c.tokens.expiresAt.getTime() - skewMs > Date.now();
  }

  async function load(): Promise<Current> {
    const stored = await getIntegrationTokens(db, integrationId);
    if (stored) return open(stored);
    const initial = deps.initialTokens();
    if (!initial) throw new PlatformAuthError('The integration has no tokens; connect it again');
    return open(await seedIntegrationTokens(db, integrationId, seal(initial)));
  }

  async function lock(signal: AbortSignal): Promise<string> {
    const token = randomBytes(16).toString('hex');
    const deadline = Date.now() + lockTtlMs + 5000;
    for (;;) {
      signal.throwIfAborted();
      if ((await redis.set(lockKey, token, 'PX', lockTtlMs, 'NX')) === 'OK') return token;
      if (Date.now() > deadline)
        throw new PlatformUnavailableError('Another process has been refreshing the tokens for too long');
      try {
        await delay(25 + Math.floor(Math.random() * 50), undefined, { signal });
      } catch (err) {
        signal.throwIfAborted();
        throw err;
      }
    }
  }

  async function unlock(token: string): Promise<void> {
    try {
      await redis.eval(RELEASE_SCRIPT, 1, lockKey, token);
    } catch (err) {
      // It expires by itself.
      log.warn({ err, integrationId }, 'could not release the token refresh lock');
    }
  }

  /** Refreshes unless the stored tokens are already newer than `staleVersion` and not expired. */
  async function refreshOnce(staleVersion: number | null, signal: AbortSignal): Promise<Current> {
    const lockToken = await lock(signal);
    try {
      const stored = await load();
      if (stored.version !== staleVersion && fresh(stored)) return stored;
      let next: OAuthTokens;
      try {
        next = await asTokenCall(() => options.refresh(stored.tokens.refreshToken, signal));
      } catch (err) {
        if (err instanceof PlatformRequestError && err.status >= 400 && err.status < 500) {
          throw new PlatformAuthError(
            `The platform refused to refresh the token (${err.status}); reconnect the integration`,
            err.status,
          );
        }
        throw err;
      }
      const version = await replaceIntegrationTokens(db, integrationId, stored.version, seal(next));
      if (version === null) {
        // Only possible when our lock expired mid-refresh and another process saved first: theirs is the record.
        log.error({ integrationId }, 'refreshed tokens lost the compare-and-set; using the stored ones');
        return await load();
      }
      log.info({ integrationId, expiresAt: next.expiresAt }, 'platform tokens refreshed');
      return { tokens: next, version };
    } finally {
      await unlock(lockToken);
    }
  }

  /** One refresh at a time in this process too: concurrent callers share it. */
  function refresh(staleVersion: number | null, signal: AbortSignal): Promise<Current> {
    refreshing ??= refreshOnce(staleVersion, signal)
      .then((c) => (current = c))
      .finally(() => (refreshing = undefined));
    return refreshing;
  }

  return {
    async headers(signal) {
      if (refreshing) await refreshing;
      current ??= await load();
      const usable = fresh(current) ? current : await refresh(current.version, signal);
      const headers = authorize(usable.tokens.accessToken);
      issued.set(headers, usable.version);
      return headers;
    },
    async onUnauthorized(signal, sent) {
      const used = (sent && issued.get(sent)) ?? current?.version ?? null;
      if (refreshing) await refreshing;
      // The refused call carried an older token than this process now holds: try again with the newer one.
      if (current && used !== null && current.version !== used && fresh(current)) return true;
      await refresh(used, signal);
      return true;
    },
  };
}
