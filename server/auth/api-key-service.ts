/**
 * Creating, listing and revoking API keys, for the GraphQL API (admins) and the `apikey` CLI (the first key).
 * The secret is returned once by `create` and never again; revocation is announced so every API process closes
 * the key's open connections.
 */
import { z } from 'zod';
import type { Database } from '../../db/database.ts';
import { findApiKeyById, insertApiKey, listApiKeys, revokeApiKey } from '../../db/queries/api-key.ts';
import { API_KEY_ROLES, type ApiKey } from '../../db/types.ts';
import type { ApiKeyView, CreatedApiKey } from '../../schema/context.ts';
import { AppError } from '../errors.ts';
import { parseInput } from '../validation.ts';
import { displayPrefix, generateApiKey } from './api-key-secret.ts';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** `30d`, `12h`, `90m`, `2w` → milliseconds, or null. */
export function parseDuration(text: string): number | null {
  const match = /^\s*(\d{1,6})\s*([mhdw])\s*$/i.exec(text);
  if (!match) return null;
  const ms = Number(match[1]) * UNIT_MS[match[2]!.toLowerCase() as keyof typeof UNIT_MS];
  return ms > 0 ? ms : null;
}

const createSchema = z
  .object({
    name: z.string().trim().min(1, 'give the key a name').max(100),
    role: z.enum(API_KEY_ROLES),
    expiresIn: z
      .string()
      .refine((v) => parseDuration(v) !== null, 'a duration such as 30d, 12h, 90m or 2w')
      .optional(),
    expiresAt: z.coerce.date().optional(),
    createdBy: z.string().max(200).optional(),
  })
  .strict()
  .refine((v) => !(v.expiresIn && v.expiresAt), 'give expiresIn or expiresAt, not both')
  .refine((v) => !v.expiresAt || v.expiresAt.getTime() > Date.now(), {
    message: 'must be in the future',
    path: ['expiresAt'],
  });

export function toApiKeyView(row: ApiKey): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    prefix: displayPrefix(row.public_id),
    createdBy: row.created_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}

export interface ApiKeyService {
  create(input: unknown): Promise<CreatedApiKey>;
  list(options?: { includeRevoked?: boolean }): Promise<ApiKeyView[]>;
  /** Revokes (idempotent) and announces it; throws NOT_FOUND for an unknown id. */
  revoke(id: unknown): Promise<ApiKeyView>;
}

const UUID = z.string().uuid('not a key id');

export function createApiKeyService(options: {
  db: Database;
  /** Tells every API process to close the key's connections. */
  announceRevocation(keyId: string): Promise<void>;
}): ApiKeyService {
  const { db } = options;
  return {
    async create(input) {
      const v = parseInput(createSchema, input);
      const expiresAt =
        v.expiresAt ?? (v.expiresIn ? new Date(Date.now() + parseDuration(v.expiresIn)!) : null);
      const generated = generateApiKey();
      const row = await insertApiKey(db, {
        publicId: generated.publicId,
        name: v.name,
        role: v.role,
        secretHash: generated.hash,
        expiresAt,
        createdBy: v.createdBy ?? null,
      });
      return { key: toApiKeyView(row), secret: generated.key };
    },
    async list(o = {}) {
      return (await listApiKeys(db, { includeRevoked: o.includeRevoked ?? false })).map(toApiKeyView);
    },
    async revoke(id) {
      const keyId = parseInput(UUID, id, ['id']);
      if (!(await findApiKeyById(db, keyId)))
        throw new AppError('NOT_FOUND', `API key ${keyId} does not exist`);
      const row = await revokeApiKey(db, keyId);
      await options.announceRevocation(keyId);
      return toApiKeyView(row!);
    },
  };
}
