/**
 * Access: whether the server needs API keys (public), who the caller is, API key management and the audit log
 * (admins). Secrets appear once, in the answer to createApiKey, and nowhere else.
 */
import { API_KEY_ROLES, type AuditEntry } from '../../db/types.ts';
import { AppError } from '../../server/errors.ts';
import { builder } from '../builder.ts';
import type {
  AccessOperations,
  ApiKeyView,
  AuditPage,
  CreatedApiKey,
  Principal,
  SchemaContext,
} from '../context.ts';

function accessOf(ctx: SchemaContext): AccessOperations {
  if (!ctx.access) throw new AppError('NOT_FOUND', 'API keys and the audit log are served by the API only');
  return ctx.access;
}

export const ApiKeyRoleEnum = builder.enumType('ApiKeyRole', {
  description:
    'VIEWER reads everything but secrets and subscribes; OPERATOR also runs, cancels, retries and reschedules jobs and pauses, resumes and purges queues; ADMIN also manages integrations, schedules, API keys and reads the audit log.',
  values: Object.fromEntries(API_KEY_ROLES.map((r) => [r.toUpperCase(), { value: r }])) as {
    VIEWER: { value: 'viewer' };
    OPERATOR: { value: 'operator' };
    ADMIN: { value: 'admin' };
  },
});

const ServerInfoRef = builder.objectRef<{ authRequired: boolean }>('ServerInfo').implement({
  description: 'What a client needs before signing in; readable without a key.',
  fields: (t) => ({
    authRequired: t.exposeBoolean('authRequired', {
      description: 'True when every other operation needs `Authorization: Bearer <API key>`.',
    }),
  }),
});

const PrincipalRef = builder.objectRef<Principal>('Principal').implement({
  description: 'The API key a request was made with.',
  fields: (t) => ({
    keyId: t.exposeID('keyId'),
    name: t.exposeString('name'),
    role: t.field({ type: ApiKeyRoleEnum, resolve: (p) => p.role }),
  }),
});

const ApiKeyRef = builder.objectRef<ApiKeyView>('ApiKey').implement({
  description: 'An API key; its secret is never readable after creation.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    role: t.field({ type: ApiKeyRoleEnum, resolve: (k) => k.role }),
    prefix: t.exposeString('prefix', { description: 'The start of the key, to recognise it.' }),
    createdBy: t.exposeString('createdBy', { nullable: true }),
    createdAt: t.field({ type: 'DateTime', resolve: (k) => k.createdAt }),
    expiresAt: t.field({ type: 'DateTime', nullable: true, resolve: (k) => k.expiresAt }),
    revokedAt: t.field({ type: 'DateTime', nullable: true, resolve: (k) => k.revokedAt }),
    lastUsedAt: t.field({ type: 'DateTime', nullable: true, resolve: (k) => k.lastUsedAt }),
  }),
});

const CreatedApiKeyRef = builder.objectRef<CreatedApiKey>('CreateApiKeyPayload').implement({
  fields: (t) => ({
    key: t.field({ type: ApiKeyRef, resolve: (c) => c.key }),
    secret: t.exposeString('secret', {
      description: 'The whole key. Shown this once: only a hash is stored.',
    }),
  }),
});

const CreateApiKeyInput = builder.inputType('CreateApiKeyInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    role: t.field({ type: ApiKeyRoleEnum, required: true }),
    expiresIn: t.string({ description: 'Lifetime such as 30d, 12h, 90m or 2w; none: no expiry.' }),
    expiresAt: t.field({ type: 'DateTime', description: 'Or an instant; give one of the two at most.' }),
  }),
});

const AuditEntryRef = builder.objectRef<AuditEntry>('AuditEntry').implement({
  description: 'One privileged action.',
  fields: (t) => ({
    id: t.id({ resolve: (e) => String(e.id) }),
    at: t.field({ type: 'DateTime', resolve: (e) => e.at }),
    action: t.exposeString('action', {
      description: 'Such as jobs.cancel, monitor.purgeQueue, access.createApiKey.',
    }),
    target: t.exposeString('target', { nullable: true, description: 'The id or name acted on.' }),
    actorKeyId: t.exposeID('actor_key_id', { nullable: true, description: 'Null when API auth was off.' }),
    actorName: t.exposeString('actor_name', {
      description: 'The key name, or "local" when API auth was off.',
    }),
    actorRole: t.field({
      type: ApiKeyRoleEnum,
      nullable: true,
      resolve: (e) => (e.actor_role as Principal['role']) ?? null,
    }),
    args: t.field({
      type: 'JSON',
      nullable: true,
      description: 'The arguments, secrets blanked.',
      resolve: (e) => e.args,
    }),
  }),
});

const AuditPageInfoRef = builder.objectRef<AuditPage>('AuditLogPageInfo').implement({
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage'),
    endCursor: t.exposeString('endCursor', { nullable: true }),
  }),
});

const AuditEdgeRef = builder.objectRef<{ node: AuditEntry; cursor: string }>('AuditEntryEdge').implement({
  fields: (t) => ({
    cursor: t.exposeString('cursor'),
    node: t.field({ type: AuditEntryRef, resolve: (e) => e.node }),
  }),
});

const AuditConnectionRef = builder.objectRef<AuditPage>('AuditLogConnection').implement({
  fields: (t) => ({
    totalCount: t.exposeInt('totalCount'),
    pageInfo: t.field({ type: AuditPageInfoRef, resolve: (p) => p }),
    nodes: t.field({ type: [AuditEntryRef], resolve: (p) => p.entries }),
    edges: t.field({
      type: [AuditEdgeRef],
      resolve: (p) => p.entries.map((node, i) => ({ node, cursor: p.cursors[i] ?? '' })),
    }),
  }),
});

const AuditLogFilterInput = builder.inputType('AuditLogFilter', {
  fields: (t) => ({
    action: t.stringList({ description: 'Any of these actions.' }),
    keyId: t.id({ description: 'Actions of this API key.' }),
    after: t.field({ type: 'DateTime', description: 'At or after this instant.' }),
    before: t.field({ type: 'DateTime', description: 'Before this instant.' }),
  }),
});

const compact = (input: object) =>
  Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null && v !== undefined));

builder.queryFields((t) => ({
  serverInfo: t.field({
    type: ServerInfoRef,
    resolve: (_, __, ctx) => ({ authRequired: ctx.access?.authRequired ?? false }),
  }),
  me: t.field({
    type: PrincipalRef,
    nullable: true,
    description: 'The API key of this request; null when none was sent (API auth off).',
    resolve: (_, __, ctx) => ctx.principal,
  }),
  apiKeys: t.field({
    type: [ApiKeyRef],
    description: 'Newest first; revoked keys only with includeRevoked.',
    args: { includeRevoked: t.arg.boolean({ defaultValue: false }) },
    resolve: (_, args, ctx) => accessOf(ctx).apiKeys({ includeRevoked: args.includeRevoked ?? false }),
  }),
  auditLog: t.field({
    type: AuditConnectionRef,
    description: 'Privileged actions, newest first, with cursor pagination.',
    args: {
      filter: t.arg({ type: AuditLogFilterInput }),
      first: t.arg.int({ defaultValue: 50 }),
      after: t.arg.string(),
    },
    resolve: (_, args, ctx) =>
      accessOf(ctx).auditLog(args.filter ? compact(args.filter) : {}, {
        first: args.first ?? 50,
        after: args.after ?? null,
      }),
  }),
}));

builder.mutationFields((t) => ({
  createApiKey: t.field({
    type: CreatedApiKeyRef,
    description: 'Creates a key and returns its secret, once.',
    args: { input: t.arg({ type: CreateApiKeyInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      accessOf(ctx).createApiKey({ ...compact(input), createdBy: ctx.principal?.name ?? 'local' }),
  }),
  revokeApiKey: t.field({
    type: ApiKeyRef,
    description: 'The key stops working at once; its open subscriptions are closed in every API process.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_, { id }, ctx) => accessOf(ctx).revokeApiKey(id),
  }),
}));
