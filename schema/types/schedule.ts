import {
  MISSED_RUN_POLICIES,
  SCHEDULE_RUN_STATUSES,
  SCHEDULE_TARGETS,
  type Schedule,
  type ScheduleError,
  type ScheduleRun,
} from '../../db/types.ts';
import { builder } from '../builder.ts';
import { compact } from '../input.ts';
import { PriorityEnum, SyncTypeEnum } from './enums.ts';
import { IntegrationRef } from './integration.ts';
import { SyncJobRef } from './sync-job.ts';

const ScheduleTargetEnum = builder.enumType('ScheduleTarget', {
  description:
    'INTEGRATION: one job for one integration. ALL_INTEGRATIONS: one job per enabled integration. CLEANUP: deletes ' +
    'finished jobs older than the retention (JOB_RETENTION_DAYS / CELERY_RESULT_EXPIRES).',
  values: SCHEDULE_TARGETS,
});

const MissedRunPolicyEnum = builder.enumType('MissedRunPolicy', {
  description:
    'What happens to slots missed while no scheduler ran. RUN_ONCE: the most recent one fires once when a ' +
    'scheduler starts (never once per missed slot). SKIP: missed slots are recorded as skipped.',
  values: MISSED_RUN_POLICIES,
});

const ScheduleRunStatusEnum = builder.enumType('ScheduleRunStatus', {
  description:
    'PENDING: claimed, jobs being created (fired again after a lease if its scheduler died). FIRED: jobs created. ' +
    'SKIPPED: missed under SKIP. FAILED: could not create its jobs (see error).',
  values: SCHEDULE_RUN_STATUSES,
});

interface StoredOptions {
  fullSync?: boolean;
  batchSize?: number;
  dryRun?: boolean;
}

const ScheduleOptionsRef = builder.objectRef<StoredOptions>('ScheduleOptions').implement({
  description: 'Options of the jobs a sync schedule creates.',
  fields: (t) => ({
    fullSync: t.boolean({ resolve: (o) => o.fullSync ?? false }),
    batchSize: t.int({ resolve: (o) => o.batchSize ?? 100 }),
    dryRun: t.boolean({ resolve: (o) => o.dryRun ?? false }),
  }),
});

const ScheduleErrorRef = builder.objectRef<ScheduleError>('ScheduleError').implement({
  fields: (t) => ({
    code: t.exposeString('code'),
    message: t.exposeString('message'),
    slot: t.field({ type: 'DateTime', description: 'The slot it concerns.', resolve: (e) => e.slot }),
  }),
});

const ScheduleRunRef = builder.objectRef<ScheduleRun>('ScheduleRun').implement({
  description: 'One slot of a schedule. A slot has one run, whatever the number of scheduler replicas.',
  fields: (t) => ({
    slot: t.field({ type: 'DateTime', resolve: (r) => r.slot }),
    status: t.field({ type: ScheduleRunStatusEnum, resolve: (r) => r.status }),
    firedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.fired_at }),
    jobIds: t.idList({ resolve: (r) => r.job_ids }),
    jobCount: t.exposeInt('job_count'),
    deduplicatedCount: t.exposeInt('deduplicated_count', {
      description: 'Jobs that already existed (a sync of the same type still waiting, or a replay).',
    }),
    attempts: t.exposeInt('attempts'),
    error: t.field({ type: ScheduleErrorRef, nullable: true, resolve: (r) => r.error }),
  }),
});

export const ScheduleRef = builder.objectRef<Schedule>('Schedule').implement({
  description: 'A periodic schedule: a cron expression in a timezone and what to run at each slot.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    cron: t.exposeString('cron', {
      description: '5 fields (minute hour day-of-month month day-of-week) or 6 with leading seconds.',
    }),
    timezone: t.exposeString('timezone', { description: 'IANA timezone the expression is read in.' }),
    target: t.field({ type: ScheduleTargetEnum, resolve: (s) => s.target }),
    syncType: t.field({
      type: SyncTypeEnum,
      nullable: true,
      description: 'The type of job a sync target creates; null for CLEANUP.',
      resolve: (s) => s.sync_type,
    }),
    integrationId: t.exposeID('integration_id', { nullable: true }),
    integration: t.field({
      type: IntegrationRef,
      nullable: true,
      resolve: async (s, _, ctx) =>
        s.integration_id ? ((await ctx.integrations.get(s.integration_id)) ?? null) : null,
    }),
    priority: t.field({ type: PriorityEnum, resolve: (s) => s.priority }),
    options: t.field({
      type: ScheduleOptionsRef,
      nullable: true,
      resolve: (s) => (s.target === 'CLEANUP' ? null : (s.options as StoredOptions)),
    }),
    enabled: t.exposeBoolean('enabled'),
    missedRunPolicy: t.field({ type: MissedRunPolicyEnum, resolve: (s) => s.missed_run_policy }),
    nextRunAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'The next slot; null while paused.',
      resolve: (s, _, ctx) => ctx.schedules.nextRunAt(s),
    }),
    upcoming: t.field({
      type: ['DateTime'],
      description: 'The next slots (1–50, default 5), as the scheduler will fire them, DST included.',
      args: { count: t.arg.int({ defaultValue: 5 }) },
      resolve: (s, { count }, ctx) => ctx.schedules.upcoming(s, count),
    }),
    lastRunAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it last fired.',
      resolve: (s) => s.last_run_at,
    }),
    lastRunSlot: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'The slot it last fired for (earlier than lastRunAt when a missed slot was run once).',
      resolve: (s) => s.last_run_slot,
    }),
    lastJobIds: t.idList({ resolve: (s) => s.last_job_ids }),
    lastJobs: t.field({
      type: [SyncJobRef],
      description: 'The jobs its last firing created (the first 100 that still exist).',
      resolve: (s, _, ctx) => ctx.schedules.lastJobs(s),
    }),
    lastError: t.field({
      type: ScheduleErrorRef,
      nullable: true,
      description: 'Why its last slot could not fire; cleared when a slot fires.',
      resolve: (s) => s.last_error,
    }),
    runs: t.field({
      type: [ScheduleRunRef],
      description: 'Its slots, newest first (1–100, default 10).',
      args: { first: t.arg.int({ defaultValue: 10 }) },
      resolve: (s, { first }, ctx) => ctx.schedules.runs(s.id, first),
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (s) => s.created_at }),
    updatedAt: t.field({ type: 'DateTime', resolve: (s) => s.updated_at }),
  }),
});

const ScheduleOptionsInput = builder.inputType('ScheduleOptionsInput', {
  fields: (t) => ({
    fullSync: t.boolean({ description: 'Ignore the watermark and sync everything. Default false.' }),
    batchSize: t.int({ description: 'Items written per batch, 1–1000. Default 100.' }),
    dryRun: t.boolean({ description: 'Read and compare, write nothing. Default false.' }),
  }),
});

const CreateScheduleInput = builder.inputType('CreateScheduleInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    cron: t.string({ required: true, description: 'e.g. "0 3 * * *"; 5 fields, or 6 with leading seconds.' }),
    timezone: t.string({ description: 'IANA name; defaults to SCHEDULE_TIMEZONE / CELERY_TIMEZONE.' }),
    target: t.field({ type: ScheduleTargetEnum, required: true }),
    syncType: t.field({ type: SyncTypeEnum, description: 'For sync targets; default ALL.' }),
    integrationId: t.id({ description: 'For target INTEGRATION.' }),
    priority: t.field({ type: PriorityEnum, description: 'Default NORMAL.' }),
    options: t.field({ type: ScheduleOptionsInput, description: 'For sync targets.' }),
    enabled: t.boolean({ description: 'Default true.' }),
    missedRunPolicy: t.field({ type: MissedRunPolicyEnum, description: 'Default RUN_ONCE.' }),
  }),
});

const UpdateScheduleInput = builder.inputType('UpdateScheduleInput', {
  description:
    'Fields left out keep their value. Changing the target clears syncType, integrationId and options unless given.',
  fields: (t) => ({
    name: t.string(),
    cron: t.string(),
    timezone: t.string(),
    target: t.field({ type: ScheduleTargetEnum }),
    syncType: t.field({ type: SyncTypeEnum }),
    integrationId: t.id(),
    priority: t.field({ type: PriorityEnum }),
    options: t.field({ type: ScheduleOptionsInput }),
    enabled: t.boolean(),
    missedRunPolicy: t.field({ type: MissedRunPolicyEnum }),
  }),
});

function toInput(input: { options?: object | null } & object): Record<string, unknown> {
  const base = compact(input);
  if (input.options) base.options = compact(input.options);
  return base;
}

builder.queryFields((t) => ({
  schedules: t.field({
    type: [ScheduleRef],
    description: 'Every schedule, by name.',
    args: { enabled: t.arg.boolean() },
    resolve: (_, args, ctx) => ctx.schedules.list({ enabled: args.enabled ?? null }),
  }),
  schedule: t.field({
    type: ScheduleRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_, { id }, ctx) => (await ctx.schedules.get(id)) ?? null,
  }),
}));

builder.mutationFields((t) => ({
  createSchedule: t.field({
    type: ScheduleRef,
    args: { input: t.arg({ type: CreateScheduleInput, required: true }) },
    resolve: (_, { input }, ctx) => ctx.schedules.create(toInput(input)),
  }),
  updateSchedule: t.field({
    type: ScheduleRef,
    description: 'A changed cron expression, timezone or enabled flag plans the next slot from now.',
    args: {
      id: t.arg.id({ required: true }),
      input: t.arg({ type: UpdateScheduleInput, required: true }),
    },
    resolve: (_, { id, input }, ctx) => ctx.schedules.update(id, toInput(input)),
  }),
  pauseSchedule: t.field({
    type: ScheduleRef,
    description: 'Fires nothing until resumed.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_, { id }, ctx) => ctx.schedules.pause(id),
  }),
  resumeSchedule: t.field({
    type: ScheduleRef,
    description: 'Plans the next slot from now; slots that passed while paused are not made up.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_, { id }, ctx) => ctx.schedules.resume(id),
  }),
  deleteSchedule: t.field({
    type: ScheduleRef,
    description:
      'Deletes the schedule and its run history (not the jobs it created); returns what was deleted.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_, { id }, ctx) => ctx.schedules.delete(id),
  }),
}));
