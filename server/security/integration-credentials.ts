/**
 * Integration credentials at rest. They are sealed as JSON by the SecretBox into `integrations.credentials_sealed`
 * and opened only by the code that calls the platform:
 *
 *   openIntegrationCredentials(db, box, integrationId) → Record<string, unknown> | null
 *
 * returns the credentials of an integration (null when it has none or does not exist); it reads rows sealed under
 * any configured key and legacy plaintext rows, and throws SecretUnreadable when no configured key opens them.
 * Rows sealed under an old key, or still in plaintext, are re-sealed under the current key on their next write
 * (`resealIfStale`). No API returns credentials: views carry `has_credentials` only.
 */
import type { Database } from '../../db/database.ts';
import { findIntegrationCredentials, resealIntegrationCredentials } from '../../db/queries/integration.ts';
import type { Integration } from '../../db/types.ts';
import type { SecretBox } from './secret-box.ts';
import { SecretUnreadable } from './secrets.ts';

type StoredCredentials = Pick<Integration, 'credentials' | 'credentials_sealed'>;

/** Seals credentials for storage; an empty object or null means "none" (null). */
export function sealCredentials(box: SecretBox, credentials: Record<string, unknown> | null): string | null {
  if (credentials === null || Object.keys(credentials).length === 0) return null;
  return box.seal(JSON.stringify(credentials));
}

/** Whether a row holds credentials, without opening them. */
export function hasStoredCredentials(row: StoredCredentials): boolean {
  if (row.credentials_sealed !== null) return true;
  return row.credentials !== null && Object.keys(row.credentials).length > 0;
}

/** Opens a row's credentials (sealed, or legacy plaintext); null when it has none. */
export function openStoredCredentials(
  box: SecretBox,
  row: StoredCredentials,
): Record<string, unknown> | null {
  if (row.credentials_sealed !== null) {
    const parsed: unknown = JSON.parse(box.open(row.credentials_sealed));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new SecretUnreadable('malformed', 'sealed credentials are not a JSON object');
    return parsed as Record<string, unknown>;
  }
  return row.credentials !== null && Object.keys(row.credentials).length > 0 ? row.credentials : null;
}

/** The credentials of an integration, opened; null when it has none or does not exist. */
export async function openIntegrationCredentials(
  db: Database,
  box: SecretBox,
  integrationId: string,
): Promise<Record<string, unknown> | null> {
  const row = await findIntegrationCredentials(db, integrationId);
  return row ? openStoredCredentials(box, row) : null;
}

/** Whether a row's credentials should be re-sealed: legacy plaintext, or sealed under an old key. */
export function credentialsNeedReseal(box: SecretBox, row: StoredCredentials): boolean {
  if (row.credentials_sealed !== null) return box.isStale(row.credentials_sealed);
  return row.credentials !== null;
}

/**
 * Re-seals a row's credentials under the current key when they are plaintext or sealed under an old key. Runs as a
 * compare-and-set, so credentials replaced meanwhile by another request are left alone. Returns whether it wrote.
 */
export async function resealIfStale(
  db: Database,
  box: SecretBox,
  row: StoredCredentials & { id: string },
): Promise<boolean> {
  if (!credentialsNeedReseal(box, row)) return false;
  const sealed = sealCredentials(box, openStoredCredentials(box, row));
  return resealIntegrationCredentials(db, row.id, row, sealed);
}
