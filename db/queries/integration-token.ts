/**
 * OAuth tokens of an integration, stored sealed. `version` is the compare-and-set guard of a refresh: a writer names
 * the version it read, so two refreshes can never both be saved, and the one that lost sees the winner's tokens.
 */
import { sql } from 'kysely';
import type { Database } from '../database.ts';

export interface StoredTokens {
  sealed: string;
  expiresAt: Date;
  version: number;
}

export async function getIntegrationTokens(
  db: Database,
  integrationId: string,
): Promise<StoredTokens | undefined> {
  const row = await db
    .selectFrom('integration_tokens')
    .select(['sealed', 'expires_at', 'version'])
    .where('integration_id', '=', integrationId)
    .executeTakeFirst();
  return row && { sealed: row.sealed, expiresAt: row.expires_at, version: row.version };
}

/** Stores the first tokens unless some are stored already; returns what is stored either way. */
export async function seedIntegrationTokens(
  db: Database,
  integrationId: string,
  tokens: { sealed: string; expiresAt: Date },
): Promise<StoredTokens> {
  await db
    .insertInto('integration_tokens')
    .values({ integration_id: integrationId, sealed: tokens.sealed, expires_at: tokens.expiresAt })
    .onConflict((oc) => oc.column('integration_id').doNothing())
    .execute();
  const stored = await getIntegrationTokens(db, integrationId);
  if (!stored) throw new Error(`Tokens of integration ${integrationId} vanished while being seeded`);
  return stored;
}

/** Replaces the tokens if they are still at `expectedVersion`; returns the new version, or null if they were not. */
export async function replaceIntegrationTokens(
  db: Database,
  integrationId: string,
  expectedVersion: number,
  tokens: { sealed: string; expiresAt: Date },
): Promise<number | null> {
  const row = await db
    .updateTable('integration_tokens')
    .set({
      sealed: tokens.sealed,
      expires_at: tokens.expiresAt,
      version: sql<number>`version + 1`,
      updated_at: sql<Date>`now()`,
    })
    .where('integration_id', '=', integrationId)
    .where('version', '=', expectedVersion)
    .returning('version')
    .executeTakeFirst();
  return row?.version ?? null;
}

/** Forgets the tokens (the integration was reconnected: the next run seeds them from the new credentials). */
export async function deleteIntegrationTokens(db: Database, integrationId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('integration_tokens')
    .where('integration_id', '=', integrationId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
