/**
 * The API key format: `so_<public id>_<secret>`. The public id (12 hex digits) finds the row; the whole key is
 * stored only as a sha256 hash. A key has 256 random bits, so a fast hash is enough (no password stretching).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const API_KEY_PREFIX = 'so_';
const KEY_PATTERN = /^so_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface GeneratedApiKey {
  /** The full key, shown once. */
  key: string;
  publicId: string;
  hash: string;
}

export function generateApiKey(): GeneratedApiKey {
  const publicId = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const key = `${API_KEY_PREFIX}${publicId}_${secret}`;
  return { key, publicId, hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The public id of a well-formed key, or null. */
export function parseApiKey(key: string): { publicId: string } | null {
  const match = KEY_PATTERN.exec(key);
  return match ? { publicId: match[1]! } : null;
}

/** Constant-time comparison of a presented key with a stored hash. */
export function apiKeyMatches(key: string, storedHash: string): boolean {
  const a = Buffer.from(hashApiKey(key), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** What people see of a key after creation: enough to recognise it, useless to use it. */
export function displayPrefix(publicId: string): string {
  return `${API_KEY_PREFIX}${publicId}_…`;
}
