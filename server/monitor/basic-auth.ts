import { createHash, timingSafeEqual } from 'node:crypto';

export interface BasicAuth {
  /** False when no credentials are configured: everything is open. */
  readonly enabled: boolean;
  /** The value of `WWW-Authenticate` for a 401. */
  readonly challenge: string;
  /** Whether an `Authorization` header carries the configured user and password. */
  check(header: string | undefined): boolean;
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * HTTP Basic authentication (FLOWER_BASIC_AUTH). Both parts are compared in constant time, on digests so that
 * neither the lengths nor which part was wrong show in the timing.
 */
export function createBasicAuth(
  credentials: { user: string; password: string } | null,
  realm = 'Sync Orchestrator monitor',
): BasicAuth {
  const expected = credentials
    ? { user: digest(credentials.user), password: digest(credentials.password) }
    : null;
  return {
    enabled: expected !== null,
    challenge: `Basic realm="${realm}", charset="UTF-8"`,
    check(header) {
      if (!expected) return true;
      const token = /^Basic\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
      const decoded = token ? Buffer.from(token, 'base64').toString('utf8') : '';
      const colon = decoded.indexOf(':');
      const user = colon >= 0 ? decoded.slice(0, colon) : '';
      const password = colon >= 0 ? decoded.slice(colon + 1) : '';
      const userOk = timingSafeEqual(digest(user), expected.user);
      const passwordOk = timingSafeEqual(digest(password), expected.password);
      return colon >= 0 && userOk && passwordOk;
    },
  };
}
