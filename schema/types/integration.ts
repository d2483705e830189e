import type { IntegrationView } from '../context.ts';
import { builder } from '../builder.ts';
import { compact } from '../input.ts';
import { PlatformEnum } from './enums.ts';

export const IntegrationRef = builder.objectRef<IntegrationView>('Integration').implement({
  description: 'A connected store or system. Credentials are write-only: no field ever returns them.',
  fields: (t) => ({
    id: t.exposeID('id', { nullable: false }),
    name: t.exposeString('name'),
    platform: t.field({ type: PlatformEnum, resolve: (i) => i.platform }),
    enabled: t.exposeBoolean('enabled'),
    settings: t.field({ type: 'JSON', resolve: (i) => i.settings }),
    hasCredentials: t.boolean({ resolve: (i) => i.has_credentials }),
    createdAt: t.field({ type: 'DateTime', resolve: (i) => i.created_at }),
    updatedAt: t.field({ type: 'DateTime', resolve: (i) => i.updated_at }),
    pausedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'Set while the circuit breaker holds the integration: its jobs wait, others run.',
      resolve: (i) => i.paused_at,
    }),
    pauseCode: t.string({
      nullable: true,
      description: 'AUTH_FAILED (reconnect), PLATFORM_UNAVAILABLE or ERROR_BUDGET (reopens at pausedUntil).',
      resolve: (i) => i.pause_code,
    }),
    pauseReason: t.string({ nullable: true, resolve: (i) => i.pause_reason }),
    pausedUntil: t.field({
      type: 'DateTime',
      nullable: true,
      description:
        'When calls are tried again by themselves; null while paused means until reconnected or resumed.',
      resolve: (i) => i.paused_until,
    }),
  }),
});

const CreateIntegrationInput = builder.inputType('CreateIntegrationInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    platform: t.field({ type: PlatformEnum, defaultValue: 'SANDBOX' }),
    enabled: t.boolean(),
    settings: t.field({
      type: 'JSON',
      description: 'Platform settings; for SANDBOX: size, latencyMs, failureRate…',
    }),
    credentials: t.field({ type: 'JSON', description: 'Write-only.' }),
  }),
});

const UpdateIntegrationInput = builder.inputType('UpdateIntegrationInput', {
  fields: (t) => ({
    name: t.string(),
    enabled: t.boolean(),
    settings: t.field({ type: 'JSON', description: 'Merged into the current settings.' }),
    credentials: t.field({ type: 'JSON', description: 'Write-only; replaces the stored credentials.' }),
  }),
});

builder.queryFields((t) => ({
  integrations: t.field({
    type: [IntegrationRef],
    args: { enabled: t.arg.boolean(), platform: t.arg({ type: PlatformEnum }) },
    resolve: (_, args, ctx) =>
      ctx.integrations.list({ enabled: args.enabled ?? null, platform: args.platform ?? null }),
  }),
  integration: t.field({
    type: IntegrationRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_, { id }, ctx) => (await ctx.integrations.get(id)) ?? null,
  }),
}));

builder.mutationFields((t) => ({
  createIntegration: t.field({
    type: IntegrationRef,
    args: { input: t.arg({ type: CreateIntegrationInput, required: true }) },
    resolve: (_, { input }, ctx) => ctx.integrations.create(compact(input)),
  }),
  updateIntegration: t.field({
    type: IntegrationRef,
    args: {
      id: t.arg.id({ required: true }),
      input: t.arg({ type: UpdateIntegrationInput, required: true }),
    },
    resolve: (_, { id, input }, ctx) => ctx.integrations.update(id, compact(input)),
  }),
  resumeIntegration: t.field({
    type: IntegrationRef,
    description:
      'Closes the circuit breaker: the waiting jobs run again. New credentials (updateIntegration) resume too.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_, { id }, ctx) => ctx.integrations.resume(id),
  }),
  enableIntegration: t.field({
    type: IntegrationRef,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_, { id }, ctx) => ctx.integrations.setEnabled(id, true),
  }),
  disableIntegration: t.field({
    type: IntegrationRef,
    description: 'Disabled integrations accept no new jobs; jobs already queued fail when they start.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_, { id }, ctx) => ctx.integrations.setEnabled(id, false),
  }),
}));
