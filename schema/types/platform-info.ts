/**
 * What each platform needs to be connected, read from the platform definitions' own zod schemas (through their
 * JSON Schema), so the dashboard's forms cannot drift from what `createIntegration` validates: its label, its
 * role (ERP or sales channel), and the fields of its settings and of its write-only credentials.
 */
import { z } from 'zod';
import { PLATFORMS, type Platform } from '../../db/types.ts';
import type { RealPlatform } from '../../server/connectors/platform.ts';
import { getPlatformDefinition } from '../../server/connectors/registry.ts';
import { sandboxSettingsSchema } from '../../server/connectors/sandbox-settings.ts';
import { builder } from '../builder.ts';
import { PlatformEnum } from './enums.ts';

type JsonSchema = z.core.JSONSchema.BaseSchema;

export const PLATFORM_FIELD_TYPES = [
  'STRING',
  'URL',
  'DATETIME',
  'INTEGER',
  'NUMBER',
  'BOOLEAN',
  'ENUM',
] as const;
export type PlatformFieldType = (typeof PLATFORM_FIELD_TYPES)[number];

export interface PlatformFieldView {
  path: string;
  label: string;
  type: PlatformFieldType;
  required: boolean;
  secret: boolean;
  defaultValue: unknown;
  options: string[] | null;
  minimum: number | null;
  maximum: number | null;
  pattern: string | null;
}

export interface PlatformInfoView {
  platform: Platform;
  label: string;
  role: 'ERP' | 'CHANNEL' | null;
  available: boolean;
  settings: PlatformFieldView[];
  credentials: PlatformFieldView[];
}

/** Labels for keys whose words alone read badly ("Base url", "Deposito id"). */
const LABELS: Record<string, string> = {
  baseUrl: 'Base URL',
  depositoId: 'Depósito id',
  contactId: 'Contact id',
  sellerId: 'Seller id',
  storeId: 'Store id',
  userAgent: 'User-Agent',
  categoryId: 'Category id',
  listingTypeId: 'Listing type',
  clientId: 'Client id',
  expiresAt: 'Access token expires at',
  'rateLimit.burst': 'Rate limit: burst',
  'rateLimit.perSecond': 'Rate limit: calls per second',
  'stores.MERCADO_LIVRE': 'Loja id for Mercado Livre orders',
  'stores.NUVEMSHOP': 'Loja id for Nuvemshop orders',
  'stores.BLING': 'Loja id for Bling orders',
  latencyMs: 'Latency per call (ms)',
  failureRate: 'Failure rate (0–1)',
};

/** Label and role of platforms this build cannot connect to (no definition to read them from). */
const FALLBACKS: Record<RealPlatform, { label: string; role: 'ERP' | 'CHANNEL' }> = {
  BLING: { label: 'Bling', role: 'ERP' },
  MERCADO_LIVRE: { label: 'Mercado Livre', role: 'CHANNEL' },
  NUVEMSHOP: { label: 'Nuvemshop', role: 'CHANNEL' },
};

function labelOf(path: string): string {
  const known = LABELS[path];
  if (known) return known;
  const last = path.split('.').pop() ?? path;
  const words = last.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const SECRET_KEY = /secret|token|password/i;

function fieldType(s: JsonSchema): PlatformFieldType {
  if (Array.isArray(s.enum)) return 'ENUM';
  if (s.type === 'integer') return 'INTEGER';
  if (s.type === 'number') return 'NUMBER';
  if (s.type === 'boolean') return 'BOOLEAN';
  if (s.format === 'uri') return 'URL';
  if (s.format === 'date-time') return 'DATETIME';
  return 'STRING';
}

/** Every leaf of an object schema as one field, nested objects flattened into dotted paths. */
function fieldsOf(
  schema: JsonSchema,
  options: { secretFields: boolean },
  prefix = '',
  parentRequired = true,
  parentDefault: unknown = undefined,
): PlatformFieldView[] {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set(schema.required ?? []);
  return Object.entries(properties).flatMap(([key, prop]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    const inherited =
      parentDefault && typeof parentDefault === 'object'
        ? (parentDefault as Record<string, unknown>)[key]
        : undefined;
    const defaultValue = prop.default !== undefined ? prop.default : inherited;
    const isRequired = parentRequired && required.has(key) && prop.default === undefined;
    if (prop.type === 'object' && prop.properties) {
      return fieldsOf(prop, options, path, isRequired, defaultValue);
    }
    const minimum = prop.minimum ?? prop.exclusiveMinimum;
    const maximum = prop.maximum ?? prop.exclusiveMaximum;
    return [
      {
        path,
        label: labelOf(path),
        type: fieldType(prop),
        required: isRequired,
        secret: options.secretFields && SECRET_KEY.test(key),
        defaultValue: defaultValue ?? null,
        options: Array.isArray(prop.enum) ? prop.enum.map(String) : null,
        minimum: typeof minimum === 'number' && Math.abs(minimum) < Number.MAX_SAFE_INTEGER ? minimum : null,
        maximum: typeof maximum === 'number' && Math.abs(maximum) < Number.MAX_SAFE_INTEGER ? maximum : null,
        // The date-time pattern zod emits is long and adds nothing to the format; keep patterns people can read.
        pattern: typeof prop.pattern === 'string' && prop.format === undefined ? prop.pattern : null,
      },
    ];
  });
}

function schemaFields(schema: z.ZodType, options: { secretFields: boolean }): PlatformFieldView[] {
  // The input side: what a client sends (defaults and coercions apply before transforms).
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return fieldsOf(json, options);
}

let cached: PlatformInfoView[] | undefined;

/** Every platform of the enum, in its order; built once (the definitions do not change at run time). */
export function listPlatformInfo(): PlatformInfoView[] {
  cached ??= PLATFORMS.map((platform): PlatformInfoView => {
    if (platform === 'SANDBOX') {
      return {
        platform,
        label: 'Sandbox',
        role: null,
        available: true,
        settings: schemaFields(sandboxSettingsSchema, { secretFields: false }),
        credentials: [],
      };
    }
    const definition = getPlatformDefinition(platform);
    if (!definition) {
      return {
        platform,
        label: FALLBACKS[platform].label,
        role: FALLBACKS[platform].role,
        available: false,
        settings: [],
        credentials: [],
      };
    }
    return {
      platform,
      label: definition.label,
      role: definition.role === 'erp' ? 'ERP' : 'CHANNEL',
      available: true,
      settings: schemaFields(definition.settings, { secretFields: false }),
      credentials: schemaFields(definition.credentials, { secretFields: true }),
    };
  });
  return cached;
}

const PlatformRoleEnum = builder.enumType('PlatformRole', {
  description:
    'ERP: source of truth for catalog and stock, destination of orders. CHANNEL: a place that sells.',
  values: ['ERP', 'CHANNEL'] as const,
});

const PlatformFieldTypeEnum = builder.enumType('PlatformFieldType', { values: PLATFORM_FIELD_TYPES });

const PlatformFieldRef = builder.objectRef<PlatformFieldView>('PlatformField').implement({
  description: "One field of a platform's settings or credentials, as its schema defines it.",
  fields: (t) => ({
    path: t.exposeString('path', {
      nullable: false,
      description: 'Dotted path inside settings or credentials, e.g. `rateLimit.burst`.',
    }),
    label: t.exposeString('label', { nullable: false }),
    type: t.field({ type: PlatformFieldTypeEnum, nullable: false, resolve: (f) => f.type }),
    required: t.exposeBoolean('required', { nullable: false }),
    secret: t.exposeBoolean('secret', {
      nullable: false,
      description: 'A secret is typed into a password box; every credential is write-only either way.',
    }),
    defaultValue: t.field({
      type: 'JSON',
      nullable: true,
      description: 'What the server uses when the field is left out.',
      resolve: (f) => f.defaultValue,
    }),
    options: t.exposeStringList('options', { nullable: true, description: 'The allowed values of an ENUM.' }),
    minimum: t.exposeFloat('minimum', { nullable: true }),
    maximum: t.exposeFloat('maximum', { nullable: true }),
    pattern: t.exposeString('pattern', {
      nullable: true,
      description: 'A regular expression the value must match.',
    }),
  }),
});

const PlatformInfoRef = builder.objectRef<PlatformInfoView>('PlatformInfo').implement({
  description: 'A platform an integration can connect to, and what its form needs.',
  fields: (t) => ({
    platform: t.field({ type: PlatformEnum, nullable: false, resolve: (p) => p.platform }),
    label: t.exposeString('label', { nullable: false }),
    role: t.field({
      type: PlatformRoleEnum,
      nullable: true,
      description: 'Null for SANDBOX: a simulated ERP and channel in one.',
      resolve: (p) => p.role,
    }),
    available: t.exposeBoolean('available', {
      nullable: false,
      description: 'False when this build has no connector for the platform.',
    }),
    settingsFields: t.field({ type: [PlatformFieldRef], nullable: false, resolve: (p) => p.settings }),
    credentialFields: t.field({
      type: [PlatformFieldRef],
      nullable: false,
      description:
        'Write-only: stored sealed, never returned (Integration.hasCredentials says whether there are any).',
      resolve: (p) => p.credentials,
    }),
  }),
});

builder.queryFields((t) => ({
  platforms: t.field({
    type: [PlatformInfoRef],
    nullable: false,
    description: 'Every platform, with the fields of its settings and credentials.',
    resolve: () => listPlatformInfo(),
  }),
}));
