/** API keys: insert, look up by public id, list, revoke. Only hashes of secrets are ever written. */
import type { Database } from '../database.ts';
import type { ApiKey, ApiKeyRole } from '../types.ts';

export async function insertApiKey(
  db: Database,
  key: {
    publicId: string;
    name: string;
    role: ApiKeyRole;
    secretHash: string;
    expiresAt: Date | null;
    createdBy: string | null;
  },
): Promise<ApiKey> {
  return db
    .insertInto('api_keys')
    .values({
      public_id: key.publicId,
      name: key.name,
      role: key.role,
      secret_hash: key.secretHash,
      expires_at: key.expiresAt,
      created_by: key.createdBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findApiKeyByPublicId(db: Database, publicId: string): Promise<ApiKey | undefined> {
  return db.selectFrom('api_keys').selectAll().where('public_id', '=', publicId).executeTakeFirst();
}

export async function findApiKeyById(db: Database, id: string): Promise<ApiKey | undefined> {
  return db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Newest first. */
export async function listApiKeys(db: Database, options: { includeRevoked: boolean }): Promise<ApiKey[]> {
  let query = db.selectFrom('api_keys').selectAll().orderBy('created_at', 'desc').orderBy('id');
  if (!options.includeRevoked) query = query.where('revoked_at', 'is', null);
  return query.execute();
}

/** Sets revoked_at once; returns the row (already revoked rows keep their first revocation time). */
export async function revokeApiKey(db: Database, id: string): Promise<ApiKey | undefined> {
  const updated = await db
    .updateTable('api_keys')
    .set({ revoked_at: new Date() })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  return updated ?? findApiKeyById(db, id);
}

/** Stamps last_used_at at most once a minute per key, so reads do not turn into a write per request. */
export async function touchApiKey(db: Database, id: string): Promise<void> {
  await db
    .updateTable('api_keys')
    .set({ last_used_at: new Date() })
    .where('id', '=', id)
    .where((eb) =>
      eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', new Date(Date.now() - 60_000))]),
    )
    .execute();
}
