/**
 * Turns an `Authorization: Bearer <key>` value into the key's principal, or refuses it with UNAUTHENTICATED.
 *
 * Verified keys are cached per process for a few seconds, so a busy key costs no SELECT per request: the presented
 * secret is still checked against the cached hash and the expiry against the clock on every request. Revocation
 * evicts at once (`forget`, called for every revocation this process hears of), the short TTL bounds anything
 * missed. last_used_at is stamped at most once a minute per key from each process.
 */
import { findApiKeyByPublicId, touchApiKey } from '../../db/queries/api-key.ts';
import type { Database } from '../../db/database.ts';
import type { ApiKey } from '../../db/types.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { apiKeyMatches, parseApiKey } from './api-key-secret.ts';
import type { Principal } from './principal.ts';

export interface Authenticator {
  /** null when no credentials were sent; throws UNAUTHENTICATED for a malformed, unknown, expired or revoked key. */
  authenticate(authorization: string | null | undefined): Promise<Principal | null>;
  /** Drops key `keyId` from the cache: the next request with it reads its row again. */
  forget(keyId: string): void;
  /** Drops every cached key (e.g. after revocations may have been missed). */
  forgetAll(): void;
}

type KeyRow = Pick<ApiKey, 'id' | 'name' | 'role' | 'secret_hash' | 'expires_at' | 'revoked_at'>;

const TOUCH_INTERVAL_MS = 60_000;

/** Both maps drop their oldest entry beyond this many keys. */
const DEFAULT_MAX_KEYS = 10_000;

/** Sets `key` as the newest entry of `map`, dropping the oldest one when it is full. */
function setNewest<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  if (map.size >= max) map.delete(map.keys().next().value as K);
  map.set(key, value);
}

export function createAuthenticator(options: {
  db: Database;
  log: Logger;
  /** How long a verified key is trusted without reading its row again; 0 turns the cache off. */
  cacheTtlMs?: number;
  maxCachedKeys?: number;
}): Authenticator {
  const { db, log } = options;
  const ttlMs = options.cacheTtlMs ?? 10_000;
  const maxKeys = options.maxCachedKeys ?? DEFAULT_MAX_KEYS;
  /** By public id, in the order the rows were read. */
  const cache = new Map<string, { row: KeyRow; until: number }>();
  /** By key id: when this process last stamped last_used_at. */
  const stamped = new Map<string, number>();
  // Bumped by every eviction: a row read before an eviction is not cached after it, or a lookup that raced a
  // revocation would put the key back for a whole TTL.
  let evictions = 0;

  async function rowOf(publicId: string): Promise<KeyRow | undefined> {
    const cached = cache.get(publicId);
    if (cached && cached.until > Date.now()) return cached.row;
    if (cached) cache.delete(publicId);
    const before = evictions;
    const row = await findApiKeyByPublicId(db, publicId);
    if (!row) return undefined;
    const { id, name, role, secret_hash, expires_at, revoked_at } = row;
    const kept = { id, name, role, secret_hash, expires_at, revoked_at };
    // Only usable keys are cached; an unknown, revoked or expired one reads its row each time.
    const usable = !revoked_at && (!expires_at || expires_at.getTime() > Date.now());
    if (ttlMs > 0 && usable && before === evictions)
      setNewest(cache, publicId, { row: kept, until: Date.now() + ttlMs }, maxKeys);
    return kept;
  }

  function stampUse(keyId: string): void {
    const now = Date.now();
    const last = stamped.get(keyId);
    if (last !== undefined && now - last < TOUCH_INTERVAL_MS) return;
    setNewest(stamped, keyId, now, maxKeys);
    touchApiKey(db, keyId).catch((err: unknown) => {
      stamped.delete(keyId);
      log.warn({ err }, 'could not stamp key use');
    });
  }

  return {
    async authenticate(authorization) {
      const value = authorization?.trim();
      if (!value) return null;
      const match = /^Bearer\s+(\S+)$/i.exec(value);
      if (!match) throw new AppError('UNAUTHENTICATED', 'Authorization must be "Bearer <API key>"');
      const key = match[1]!;
      const parsed = parseApiKey(key);
      if (!parsed) throw new AppError('UNAUTHENTICATED', 'The API key is not valid');
      const row = await rowOf(parsed.publicId);
      if (!row || !apiKeyMatches(key, row.secret_hash))
        throw new AppError('UNAUTHENTICATED', 'The API key is not valid');
      if (row.revoked_at) throw new AppError('UNAUTHENTICATED', 'The API key was revoked');
      if (row.expires_at && row.expires_at.getTime() <= Date.now())
        throw new AppError('UNAUTHENTICATED', 'The API key has expired');
      stampUse(row.id);
      return { keyId: row.id, name: row.name, role: row.role };
    },
    forget(keyId) {
      evictions++;
      for (const [publicId, entry] of cache) if (entry.row.id === keyId) cache.delete(publicId);
    },
    forgetAll() {
      evictions++;
      cache.clear();
    },
  };
}
