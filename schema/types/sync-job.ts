import type { JobError, SyncJob, SyncJobEvent } from '../../db/types.ts';
import { builder } from '../builder.ts';
import type { CreatedJob, JobEventView, JobPage } from '../context.ts';
import { compact } from '../input.ts';
import {
  JobEventKindEnum,
  JobStatusEnum,
  JobTypeEnum,
  PriorityEnum,
  QueueNameEnum,
  SyncTypeEnum,
} from './enums.ts';
import { IntegrationRef } from './integration.ts';

interface StoredOptions {
  fullSync?: boolean;
  batchSize?: number;
  dryRun?: boolean;
  onlyItems?: string[];
}

const SyncJobOptionsRef = builder.objectRef<StoredOptions>('SyncJobOptions').implement({
  fields: (t) => ({
    fullSync: t.boolean({ resolve: (o) => o.fullSync ?? false }),
    batchSize: t.int({ resolve: (o) => o.batchSize ?? 100 }),
    dryRun: t.boolean({ resolve: (o) => o.dryRun ?? false }),
    onlyItems: t.stringList({
      nullable: true,
      description:
        'Set on a retry of failed items: the SKUs or order ids this job reruns (null: every item).',
      resolve: (o) => o.onlyItems ?? null,
    }),
  }),
});

const JobErrorRef = builder.objectRef<JobError>('JobError').implement({
  fields: (t) => ({
    code: t.exposeString('code'),
    message: t.exposeString('message'),
    attempt: t.int({ nullable: true, resolve: (e) => e.attempt ?? null }),
    retryable: t.boolean({ nullable: true, resolve: (e) => e.retryable ?? null }),
  }),
});

const SyncJobEventRef = builder.objectRef<SyncJobEvent>('SyncJobEvent').implement({
  description: "One entry of a job's timeline (progress messages are kept at most one per two seconds).",
  fields: (t) => ({
    kind: t.field({ type: JobEventKindEnum, resolve: (e) => e.kind }),
    status: t.field({ type: JobStatusEnum, resolve: (e) => e.status }),
    attempt: t.exposeInt('attempt'),
    message: t.exposeString('message', { nullable: true }),
    progress: t.float({ resolve: (e) => e.progress }),
    processedItems: t.exposeInt('processed_items'),
    totalItems: t.exposeInt('total_items', { nullable: true }),
    failedItems: t.exposeInt('failed_items'),
    error: t.field({ type: JobErrorRef, nullable: true, resolve: (e) => e.error }),
    at: t.field({ type: 'DateTime', resolve: (e) => e.at }),
  }),
});

export const SyncJobRef = builder.objectRef<SyncJob>('SyncJob');

SyncJobRef.implement({
  description: 'One sync job as recorded in Postgres, the source of truth.',
  fields: (t) => ({
    id: t.exposeID('id'),
    integrationId: t.exposeID('integration_id', {
      nullable: true,
      description: 'Null for maintenance jobs and for a full sync across integrations.',
    }),
    integration: t.field({
      type: IntegrationRef,
      nullable: true,
      resolve: async (job, _, ctx) =>
        job.integration_id ? ((await ctx.integrations.get(job.integration_id)) ?? null) : null,
    }),
    syncType: t.field({ type: JobTypeEnum, resolve: (j) => j.sync_type }),
    priority: t.field({ type: PriorityEnum, resolve: (j) => j.priority }),
    queue: t.field({ type: QueueNameEnum, resolve: (j) => j.queue }),
    origin: t.exposeString('origin', { description: 'API, BULK, QUICK, SCHEDULE or SYSTEM.' }),
    status: t.field({ type: JobStatusEnum, resolve: (j) => j.status }),
    progress: t.float({ description: '0 to 100.', resolve: (j) => j.progress }),
    processedItems: t.exposeInt('processed_items'),
    totalItems: t.exposeInt('total_items', { nullable: true }),
    failedItems: t.exposeInt('failed_items'),
    message: t.exposeString('message', { nullable: true }),
    options: t.field({ type: SyncJobOptionsRef, resolve: (j) => j.options as StoredOptions }),
    result: t.field({ type: 'JSON', nullable: true, resolve: (j) => j.result }),
    error: t.field({ type: JobErrorRef, nullable: true, resolve: (j) => j.error }),
    attempts: t.exposeInt('attempts'),
    maxAttempts: t.exposeInt('max_attempts'),
    idempotencyKey: t.exposeString('idempotency_key', { nullable: true }),
    workerId: t.exposeString('worker_id', { nullable: true }),
    runAt: t.field({ type: 'DateTime', nullable: true, resolve: (j) => j.run_at }),
    cancelRequestedAt: t.field({ type: 'DateTime', nullable: true, resolve: (j) => j.cancel_requested_at }),
    createdAt: t.field({ type: 'DateTime', resolve: (j) => j.created_at }),
    startedAt: t.field({ type: 'DateTime', nullable: true, resolve: (j) => j.started_at }),
    finishedAt: t.field({ type: 'DateTime', nullable: true, resolve: (j) => j.finished_at }),
    updatedAt: t.field({ type: 'DateTime', resolve: (j) => j.updated_at }),
    retryOf: t.exposeID('retry_of', { nullable: true, description: 'The job this one retries.' }),
    parentId: t.exposeID('parent_id', { nullable: true, description: 'The full sync this job is part of.' }),
    childCount: t.exposeInt('child_count', {
      nullable: true,
      description: 'Set on a full sync (parent): its children run the work and roll their counts up into it.',
    }),
    childrenFinished: t.exposeInt('children_finished'),
    childrenFailed: t.exposeInt('children_failed'),
    childrenCancelled: t.exposeInt('children_cancelled'),
    children: t.field({
      type: [SyncJobRef],
      description: "A full sync's child jobs, newest first.",
      args: { first: t.arg.int({ defaultValue: 100 }) },
      resolve: async (job, args, ctx) =>
        job.child_count == null
          ? []
          : (await ctx.jobs.list({ parentId: job.id }, { first: args.first ?? 100 })).jobs,
    }),
    events: t.field({
      type: [SyncJobEventRef],
      description: 'The timeline: created, started, progress messages, retries, cancel requests, the end.',
      resolve: (job, _, ctx) => ctx.jobs.events(job.id),
    }),
    version: t.exposeInt('version', {
      description: 'Grows with every change; a snapshot with a lower version than one already seen is stale.',
    }),
  }),
});

const JobEventRef = builder.objectRef<JobEventView>('JobEvent').implement({
  fields: (t) => ({
    kind: t.field({ type: JobEventKindEnum, resolve: (e) => e.kind }),
    job: t.field({ type: SyncJobRef, resolve: (e) => e.job }),
    at: t.field({ type: 'DateTime', resolve: (e) => e.at }),
  }),
});

const JobEventFilterInput = builder.inputType('JobEventFilter', {
  fields: (t) => ({
    integrationId: t.id(),
    status: t.field({ type: [JobStatusEnum], description: 'Status of the job after the change.' }),
    syncType: t.field({ type: [JobTypeEnum] }),
    queue: t.field({ type: [QueueNameEnum] }),
  }),
});

builder.subscriptionFields((t) => ({
  jobUpdated: t.field({
    type: SyncJobRef,
    description: "The job's current snapshot first, then every change; completes after its terminal state.",
    args: { id: t.arg.id({ required: true }) },
    subscribe: (_, { id }, ctx) => ctx.live.jobUpdated(id),
    resolve: (job) => job,
  }),
  jobEvents: t.field({
    type: JobEventRef,
    description:
      'Every change of every job that matches the filter (created, started, progress, retrying, …).',
    args: { filter: t.arg({ type: JobEventFilterInput }) },
    subscribe: (_, { filter }, ctx) => ctx.live.jobEvents(filter ? compact(filter) : {}),
    resolve: (event) => event,
  }),
}));

// Lives here rather than in integration.ts so the two type files do not import each other.
builder.objectField(IntegrationRef, 'lastJobs', (t) =>
  t.field({
    type: [SyncJobRef],
    description: 'The newest job of each sync type: when each kind of sync last ran and how it ended.',
    resolve: (i, _, ctx) => ctx.jobs.latestByType(i.id),
  }),
);

const CreateSyncJobPayloadRef = builder.objectRef<CreatedJob>('CreateSyncJobPayload').implement({
  fields: (t) => ({
    job: t.field({ type: SyncJobRef, resolve: (p) => p.job }),
    deduplicated: t.exposeBoolean('deduplicated', {
      description: 'True when an existing job was returned instead of queuing a second one.',
    }),
  }),
});

const BulkPayloadRef = builder.objectRef<CreatedJob[]>('BulkCreateSyncJobsPayload').implement({
  fields: (t) => ({
    results: t.field({ type: [CreateSyncJobPayloadRef], resolve: (r) => r }),
    jobs: t.field({ type: [SyncJobRef], resolve: (r) => r.map((c) => c.job) }),
    createdCount: t.int({ resolve: (r) => r.filter((c) => !c.deduplicated).length }),
    deduplicatedCount: t.int({ resolve: (r) => r.filter((c) => c.deduplicated).length }),
  }),
});

const QuickSyncPayloadRef = builder.objectRef<CreatedJob[]>('QuickSyncPayload').implement({
  fields: (t) => ({
    results: t.field({ type: [CreateSyncJobPayloadRef], resolve: (r) => r }),
    jobs: t.field({ type: [SyncJobRef], resolve: (r) => r.map((c) => c.job) }),
  }),
});

const PageInfoRef = builder.objectRef<JobPage>('PageInfo').implement({
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage'),
    endCursor: t.exposeString('endCursor', { nullable: true }),
  }),
});

const SyncJobEdgeRef = builder.objectRef<{ node: SyncJob; cursor: string }>('SyncJobEdge').implement({
  fields: (t) => ({
    cursor: t.exposeString('cursor'),
    node: t.field({ type: SyncJobRef, resolve: (e) => e.node }),
  }),
});

export const SyncJobConnectionRef = builder.objectRef<JobPage>('SyncJobConnection').implement({
  fields: (t) => ({
    totalCount: t.exposeInt('totalCount'),
    pageInfo: t.field({ type: PageInfoRef, resolve: (p) => p }),
    nodes: t.field({ type: [SyncJobRef], resolve: (p) => p.jobs }),
    edges: t.field({
      type: [SyncJobEdgeRef],
      resolve: (p) => p.jobs.map((node, i) => ({ node, cursor: p.cursors[i] ?? '' })),
    }),
  }),
});

const SyncJobOptionsInput = builder.inputType('SyncJobOptionsInput', {
  fields: (t) => ({
    fullSync: t.boolean({ description: 'Ignore the watermark and sync everything. Default false.' }),
    batchSize: t.int({ description: 'Items written per batch, 1–1000. Default 100.' }),
    dryRun: t.boolean({ description: 'Read and compare, write nothing. Default false.' }),
  }),
});

const CreateSyncJobInput = builder.inputType('CreateSyncJobInput', {
  fields: (t) => ({
    integrationId: t.id({ required: true }),
    syncType: t.field({ type: SyncTypeEnum, required: true }),
    priority: t.field({ type: PriorityEnum, defaultValue: 'NORMAL' }),
    options: t.field({ type: SyncJobOptionsInput }),
    idempotencyKey: t.string({ description: 'Replaying the same key returns the original job.' }),
    runAt: t.field({ type: 'DateTime', description: 'Run no earlier than this instant.' }),
    maxAttempts: t.int({ description: 'Attempts before the job fails; defaults to the server setting.' }),
  }),
});

const SyncJobFilterInput = builder.inputType('SyncJobFilter', {
  fields: (t) => ({
    parentId: t.id({ description: 'Only the children of this full sync.' }),
    topLevel: t.boolean({ description: 'Leave out the children of full syncs.' }),
    status: t.field({ type: [JobStatusEnum] }),
    syncType: t.field({ type: [JobTypeEnum] }),
    integrationId: t.id(),
    priority: t.field({ type: [PriorityEnum] }),
    queue: t.field({ type: [QueueNameEnum] }),
    createdAfter: t.field({ type: 'DateTime' }),
    createdBefore: t.field({ type: 'DateTime' }),
  }),
});

function toCreateInput(input: { options?: object | null } & object): Record<string, unknown> {
  const base = compact(input);
  if (input.options) base.options = compact(input.options);
  return base;
}

builder.queryFields((t) => ({
  job: t.field({
    type: SyncJobRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_, { id }, ctx) => (await ctx.jobs.get(id)) ?? null,
  }),
  jobs: t.field({
    type: SyncJobConnectionRef,
    description: 'Newest first, with cursor pagination.',
    args: {
      filter: t.arg({ type: SyncJobFilterInput }),
      first: t.arg.int({ defaultValue: 20 }),
      after: t.arg.string(),
    },
    resolve: (_, args, ctx) =>
      ctx.jobs.list(args.filter ? compact(args.filter) : {}, {
        first: args.first ?? 20,
        after: args.after ?? null,
      }),
  }),
}));

builder.mutationFields((t) => ({
  createSyncJob: t.field({
    type: CreateSyncJobPayloadRef,
    args: { input: t.arg({ type: CreateSyncJobInput, required: true }) },
    resolve: (_, { input }, ctx) => ctx.jobs.create(toCreateInput(input)),
  }),
  bulkCreateSyncJobs: t.field({
    type: BulkPayloadRef,
    description:
      'Up to 1,000 jobs, validated all-or-nothing, written in one insert and one pipelined enqueue.',
    args: { jobs: t.arg({ type: [CreateSyncJobInput], required: true }) },
    resolve: (_, { jobs }, ctx) => ctx.jobs.bulkCreate(jobs.map(toCreateInput)),
  }),
  quickSync: t.field({
    type: QuickSyncPayloadRef,
    description: 'High-priority jobs taken next. Defaults to PRODUCTS, INVENTORY and ORDERS.',
    args: {
      integrationId: t.arg.id({ required: true }),
      syncTypes: t.arg({ type: [SyncTypeEnum] }),
    },
    resolve: (_, args, ctx) =>
      ctx.jobs.quickSync(compact({ integrationId: args.integrationId, syncTypes: args.syncTypes })),
  }),
  retrySyncJob: t.field({
    type: CreateSyncJobPayloadRef,
    description: 'Runs a FAILED or CANCELLED job again as a new job linked to it (retryOf).',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_, { id }, ctx) => ctx.jobs.retry(id),
  }),
  rescheduleSyncJob: t.field({
    type: CreateSyncJobPayloadRef,
    description: 'Moves a QUEUED job to runAt; a FAILED or CANCELLED job is retried at runAt.',
    args: { id: t.arg.id({ required: true }), runAt: t.arg({ type: 'DateTime', required: true }) },
    resolve: (_, { id, runAt }, ctx) => ctx.jobs.reschedule(id, runAt),
  }),
  cancelSyncJob: t.field({
    type: SyncJobRef,
    description:
      'A queued job is CANCELLED at once. A running job gets cancelRequestedAt and stops at its next checkpoint.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_, { id }, ctx) => ctx.jobs.cancel(id),
  }),
}));
