/** Turns an `Authorization: Bearer <key>` value into the key's principal, or refuses it with UNAUTHENTICATED. */
import { findApiKeyByPublicId, touchApiKey } from '../../db/queries/api-key.ts';
import type { Database } from '../../db/database.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { apiKeyMatches, parseApiKey } from './api-key-secret.ts';
import type { Principal } from './principal.ts';

export interface Authenticator {
  /** null when no credentials were sent; throws UNAUTHENTICATED for a malformed, unknown, expired or revoked key. */
  authenticate(authorization: string | null | undefined): Promise<Principal | null>;
}

export function createAuthenticator(options: { db: Database; log: Logger }): Authenticator {
  const { db, log } = options;
  return {
    async authenticate(authorization) {
      const value = authorization?.trim();
      if (!value) return null;
      const match = /^Bearer\s+(\S+)$/i.exec(value);
      if (!match) throw new AppError('UNAUTHENTICATED', 'Authorization must be "Bearer <API key>"');
      const key = match[1]!;
      const parsed = parseApiKey(key);
      if (!parsed) throw new AppError('UNAUTHENTICATED', 'The API key is not valid');
      const row = await findApiKeyByPublicId(db, parsed.publicId);
      if (!row || !apiKeyMatches(key, row.secret_hash))
        throw new AppError('UNAUTHENTICATED', 'The API key is not valid');
      if (row.revoked_at) throw new AppError('UNAUTHENTICATED', 'The API key was revoked');
      if (row.expires_at && row.expires_at.getTime() <= Date.now())
        throw new AppError('UNAUTHENTICATED', 'The API key has expired');
      touchApiKey(db, row.id).catch((err: unknown) => log.warn({ err }, 'could not stamp key use'));
      return { keyId: row.id, name: row.name, role: row.role };
    },
  };
}
