import { z } from 'zod';
import type { Database } from '../../db/database.ts';
import {
  findIntegrationById,
  insertIntegration,
  listIntegrations,
  updateIntegration,
} from '../../db/queries/integration.ts';
import { seedSandboxStore } from '../../db/queries/sandbox.ts';
import { PLATFORMS, type Integration, type Platform } from '../../db/types.ts';
import { resumeIntegration } from '../../db/queries/integration-breaker.ts';
import { deleteIntegrationTokens } from '../../db/queries/integration-token.ts';
import type { PlatformDefinition } from '../connectors/platform.ts';
import { getPlatformDefinition } from '../connectors/registry.ts';
import { sandboxSettingsSchema } from '../connectors/sandbox-settings.ts';
import type { IntegrationOperations, IntegrationView } from '../../schema/context.ts';
import { AppError } from '../errors.ts';
import { hasStoredCredentials, resealIfStale, sealCredentials } from '../security/integration-credentials.ts';
import type { SecretBox } from '../security/secret-box.ts';
import { parseInput, problemsError } from '../validation.ts';

export function toIntegrationView(row: Integration): IntegrationView {
  // Neither the sealed nor any legacy plaintext credentials leave the service.
  const { credentials: _plain, credentials_sealed: _sealed, ...rest } = row;
  return { ...rest, has_credentials: hasStoredCredentials(row) };
}

const uuid = z.guid({ message: 'must be a UUID' });
const name = z.string().trim().min(1, 'must not be empty').max(200);
const credentials = z.record(z.string(), z.unknown()).nullish();

/** A real platform's definition, or a 400 when this build cannot connect to it. */
function definitionOf(platform: Platform): PlatformDefinition {
  const definition = getPlatformDefinition(platform);
  if (!definition) {
    throw problemsError([{ path: 'platform', message: `${platform} is not available in this build` }]);
  }
  return definition;
}

/** Settings are checked by the platform's own schema (the sandbox's, or the real platform's definition). */
function parseSettings(platform: Platform, value: unknown): Record<string, unknown> {
  const schema: z.ZodType = platform === 'SANDBOX' ? sandboxSettingsSchema : definitionOf(platform).settings;
  const parsed = parseInput(schema, value, ['settings']);
  return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
}

/** Credentials of a real platform are checked by its definition's schema; null (none) is always accepted. */
function parseCredentials(
  platform: Platform,
  value: Record<string, unknown> | null,
): Record<string, unknown> | null {
  if (value === null || platform === 'SANDBOX') return value;
  const parsed = parseInput(definitionOf(platform).credentials, value, ['credentials']);
  return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : value;
}

const createSchema = z
  .object({
    name,
    platform: z.enum(PLATFORMS, { message: `must be one of ${PLATFORMS.join(', ')}` }).default('SANDBOX'),
    enabled: z.boolean().default(true),
    settings: z.record(z.string(), z.unknown()).nullish(),
    credentials,
  })
  .strict();

const updateSchema = z
  .object({
    name: name.optional(),
    enabled: z.boolean().optional(),
    settings: z.record(z.string(), z.unknown()).nullish(),
    credentials,
  })
  .strict();

export type IntegrationService = ReturnType<typeof createIntegrationService>;

export interface IntegrationServiceHooks {
  /** Called after a resume or a reconnect closed the integration's breaker (e.g. to run its waiting jobs now). */
  onResumed?(integrationId: string): Promise<unknown>;
}

export function createIntegrationService(db: Database, box: SecretBox, hooks: IntegrationServiceHooks = {}) {
  async function mustFind(id: string): Promise<Integration> {
    const row = await findIntegrationById(db, id);
    if (!row) throw new AppError('INTEGRATION_NOT_FOUND', `Integration ${id} does not exist`);
    return row;
  }

  /**
   * New credentials reconnect the integration: the tokens seeded from the old ones are forgotten and its circuit
   * breaker closes, so its waiting jobs run with the new credentials.
   */
  async function reconnect(row: Integration): Promise<Integration> {
    await deleteIntegrationTokens(db, row.id);
    const resumed = await resumeIntegration(db, row.id);
    await hooks.onResumed?.(row.id);
    return resumed ? await mustFind(row.id) : row;
  }

  const service: IntegrationOperations = {
    /** Creates an integration; a sandbox one gets its simulated store seeded in the same transaction. */
    async create(input: unknown): Promise<IntegrationView> {
      const data = parseInput(createSchema, input);
      const settings = parseSettings(data.platform, data.settings ?? {});
      const newCredentials = parseCredentials(data.platform, data.credentials ?? null);
      const row = await db.transaction().execute(async (trx) => {
        const created = await insertIntegration(trx, {
          name: data.name,
          platform: data.platform,
          enabled: data.enabled,
          settings,
          credentials_sealed: sealCredentials(box, newCredentials),
        });
        if (data.platform === 'SANDBOX')
          await seedSandboxStore(trx, created.id, sandboxSettingsSchema.parse(settings));
        return created;
      });
      return toIntegrationView(row);
    },

    async update(id: unknown, input: unknown): Promise<IntegrationView> {
      const integrationId = parseInput(uuid, id, ['id']);
      const patch = parseInput(updateSchema, input);
      const current = await mustFind(integrationId);
      const settings =
        patch.settings != null
          ? parseSettings(current.platform, { ...current.settings, ...patch.settings })
          : undefined;
      const newCredentials =
        patch.credentials !== undefined ? parseCredentials(current.platform, patch.credentials) : undefined;
      const row = await updateIntegration(db, integrationId, {
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
        ...(settings !== undefined ? { settings } : {}),
        ...(newCredentials !== undefined ? { credentials_sealed: sealCredentials(box, newCredentials) } : {}),
      });
      if (!row) throw new AppError('INTEGRATION_NOT_FOUND', `Integration ${integrationId} does not exist`);
      // Plaintext or old-key credentials move under the current key on any write of the integration.
      if (patch.credentials === undefined) await resealIfStale(db, box, row);
      else return toIntegrationView(await reconnect(row));
      return toIntegrationView(row);
    },

    async setEnabled(id: unknown, enabled: boolean): Promise<IntegrationView> {
      return service.update(id, { enabled });
    },

    async resume(id: unknown): Promise<IntegrationView> {
      const integrationId = parseInput(uuid, id, ['id']);
      await mustFind(integrationId);
      await resumeIntegration(db, integrationId);
      await hooks.onResumed?.(integrationId);
      return toIntegrationView(await mustFind(integrationId));
    },

    async get(id: unknown): Promise<IntegrationView | undefined> {
      const row = await findIntegrationById(db, parseInput(uuid, id, ['id']));
      return row ? toIntegrationView(row) : undefined;
    },

    async list(
      filter: { enabled?: boolean | null; platform?: Platform | null } = {},
    ): Promise<IntegrationView[]> {
      const rows = await listIntegrations(db, {
        ...(filter.enabled != null ? { enabled: filter.enabled } : {}),
        ...(filter.platform ? { platform: filter.platform } : {}),
      });
      return rows.map(toIntegrationView);
    },
  };
  return service;
}
