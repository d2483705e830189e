import { JOB_LOG_LEVELS } from '../../db/queries/sync-job-log.ts';
import { builder } from '../builder.ts';
import type {
  DurationPercentiles,
  JobLogLineView,
  PurgeResult,
  QueueControlView,
  QueuePerformance,
  ThroughputWindow,
  WorkerJobView,
  WorkerQueueView,
  WorkerView,
} from '../context.ts';
import { compact } from '../input.ts';
import { QueueNameEnum } from './enums.ts';
import { QueueFiguresRef } from './queue-stats.ts';
import { SyncJobRef } from './sync-job.ts';

const WorkerStateEnum = builder.enumType('WorkerState', {
  description:
    'RUNNING takes and runs jobs; STOPPING received SIGTERM, takes nothing new and finishes what it holds.',
  values: ['RUNNING', 'STOPPING'] as const,
});

const LogLevelEnum = builder.enumType('LogLevel', { values: JOB_LOG_LEVELS });

const WorkerQueueRef = builder.objectRef<WorkerQueueView>('WorkerQueue').implement({
  fields: (t) => ({
    name: t.field({ type: QueueNameEnum, resolve: (q) => q.name }),
    concurrency: t.exposeInt('concurrency', { description: '0: this worker does not take from the queue.' }),
    paused: t.exposeBoolean('paused', { description: 'The worker has stopped taking from this queue.' }),
  }),
});

const WorkerJobRef = builder.objectRef<WorkerJobView>('WorkerJob').implement({
  description: 'A job a worker is running.',
  fields: (t) => ({
    jobId: t.exposeID('jobId'),
    queue: t.field({ type: QueueNameEnum, nullable: true, resolve: (j) => j.queue }),
    attempt: t.exposeInt('attempt'),
    startedAt: t.field({ type: 'DateTime', nullable: true, resolve: (j) => j.startedAt }),
    job: t.field({
      type: SyncJobRef,
      nullable: true,
      description: 'The job as recorded now (it may have finished since the last heartbeat).',
      resolve: async (j, _, ctx) => (await ctx.jobs.get(j.jobId)) ?? null,
    }),
  }),
});

const WorkerRef = builder.objectRef<WorkerView>('Worker').implement({
  description: 'A worker process, as its last heartbeat described it (Bee-Queue tracks no workers; we do).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'host:pid:random, also SyncJob.workerId of the jobs it runs.' }),
    host: t.exposeString('host'),
    pid: t.exposeInt('pid'),
    version: t.exposeString('version', { description: 'package.json version of the code it runs.' }),
    state: t.field({ type: WorkerStateEnum, resolve: (w) => w.state }),
    online: t.exposeBoolean('online', {
      description: 'False once it has not sent a heartbeat for WORKER_OFFLINE_AFTER_MS (15 s).',
    }),
    queues: t.field({ type: [WorkerQueueRef], resolve: (w) => w.queues }),
    running: t.field({ type: [WorkerJobRef], resolve: (w) => w.running }),
    runningJobIds: t.idList({ resolve: (w) => w.running.map((j) => j.jobId) }),
    processed: t.exposeInt('processed', {
      description: 'Deliveries finished since it started, any outcome.',
    }),
    succeeded: t.exposeInt('succeeded'),
    failed: t.exposeInt('failed', {
      description: 'Failed deliveries, including failed attempts that retry.',
    }),
    startedAt: t.field({ type: 'DateTime', resolve: (w) => w.startedAt }),
    lastSeenAt: t.field({ type: 'DateTime', resolve: (w) => w.lastSeenAt }),
  }),
});

const ThroughputWindowRef = builder.objectRef<ThroughputWindow>('ThroughputWindow').implement({
  fields: (t) => ({
    minutes: t.exposeInt('minutes'),
    completed: t.exposeInt('completed'),
    failed: t.exposeInt('failed'),
    completedPerMinute: t.exposeFloat('completedPerMinute'),
    failedPerMinute: t.exposeFloat('failedPerMinute'),
    failureRate: t.exposeFloat('failureRate', {
      nullable: true,
      description: 'failed / (completed + failed); null when nothing finished.',
    }),
  }),
});

const DurationPercentilesRef = builder.objectRef<DurationPercentiles>('DurationPercentiles').implement({
  description: 'Seconds (continuous percentiles); null when nothing was measured.',
  fields: (t) => ({
    count: t.exposeInt('count'),
    p50: t.exposeFloat('p50', { nullable: true }),
    p95: t.exposeFloat('p95', { nullable: true }),
    p99: t.exposeFloat('p99', { nullable: true }),
  }),
});

const QueuePerformanceRef = builder.objectRef<QueuePerformance>('QueuePerformance').implement({
  description:
    'How a queue performs, from the job record (survives restarts). Parents of full syncs are left out.',
  fields: (t) => ({
    queue: t.field({ type: QueueNameEnum, resolve: (p) => p.queue }),
    throughput: t.field({
      type: [ThroughputWindowRef],
      description: 'Completed and failed jobs over the last 1, 5 and 15 minutes.',
      resolve: (p) => p.throughput,
    }),
    windowMinutes: t.exposeInt('windowMinutes', { description: 'The window of the fields below.' }),
    failureRate: t.exposeFloat('failureRate', { nullable: true }),
    waitSeconds: t.field({
      type: DurationPercentilesRef,
      description: 'started_at − coalesce(run_at, created_at) of the jobs that started in the window.',
      resolve: (p) => p.waitSeconds,
    }),
    runSeconds: t.field({
      type: DurationPercentilesRef,
      description: 'finished_at − started_at of the jobs that completed or failed in the window.',
      resolve: (p) => p.runSeconds,
    }),
  }),
});

const QueueControlRef = builder.objectRef<QueueControlView>('QueueControl').implement({
  fields: (t) => ({
    name: t.field({ type: QueueNameEnum, resolve: (q) => q.name }),
    paused: t.exposeBoolean('paused'),
    changedAt: t.field({ type: 'DateTime', nullable: true, resolve: (q) => q.changedAt }),
  }),
});

const PurgeQueuePayloadRef = builder.objectRef<PurgeResult>('PurgeQueuePayload').implement({
  fields: (t) => ({
    queue: t.field({ type: QueueNameEnum, resolve: (p) => p.queue }),
    purged: t.exposeInt('purged', { description: 'Waiting jobs cancelled.' }),
    jobIds: t.exposeIDList('jobIds', { description: 'The cancelled jobs (at most the first 1,000).' }),
  }),
});

const JobLogLineRef = builder.objectRef<JobLogLineView>('JobLogLine').implement({
  description: "One line a job's handler (or its runner) logged at info or above.",
  fields: (t) => ({
    at: t.field({ type: 'DateTime', resolve: (l) => l.at }),
    level: t.field({ type: LogLevelEnum, resolve: (l) => l.level }),
    attempt: t.exposeInt('attempt'),
    message: t.exposeString('message'),
    data: t.field({
      type: 'JSON',
      nullable: true,
      description: 'The other fields of the line.',
      resolve: (l) => l.data,
    }),
    workerId: t.exposeString('workerId', { nullable: true }),
  }),
});

builder.objectField(QueueFiguresRef, 'paused', (t) =>
  t.boolean({
    description: 'Paused: no worker takes jobs from this queue (pauseQueue / resumeQueue).',
    resolve: async (q, _, ctx) => q.paused ?? (await ctx.monitor.pausedQueues()).includes(q.name),
  }),
);

builder.objectField(SyncJobRef, 'logs', (t) =>
  t.field({
    type: [JobLogLineRef],
    description:
      'The newest lines the job logged (info and above, at most JOB_LOG_LINES kept), oldest first.',
    args: { last: t.arg.int({ defaultValue: 200 }) },
    resolve: (job, args, ctx) => ctx.monitor.jobLogs(job.id, args.last),
  }),
);

builder.queryFields((t) => ({
  workers: t.field({
    type: [WorkerRef],
    description: 'Worker processes seen in the last WORKER_FORGET_AFTER_MS (60 s), online or not.',
    args: { online: t.arg.boolean({ description: 'Only online (true) or offline (false) workers.' }) },
    resolve: async (_, args, ctx) => {
      const list = await ctx.monitor.workers();
      return args.online == null ? list : list.filter((w) => w.online === args.online);
    },
  }),
  queuePerformance: t.field({
    type: [QueuePerformanceRef],
    description: 'Per queue: throughput over 1/5/15 minutes, failure rate, wait and run time percentiles.',
    args: {
      minutes: t.arg.int({ defaultValue: 15, description: 'Window of the rate and percentiles, 1–1440.' }),
      queue: t.arg({ type: QueueNameEnum }),
    },
    resolve: (_, args, ctx) => ctx.monitor.queuePerformance(compact(args)),
  }),
}));

builder.mutationFields((t) => ({
  pauseQueue: t.field({
    type: QueueControlRef,
    description:
      'Every worker stops taking jobs from the queue within a second; running jobs finish. Survives restarts.',
    args: { name: t.arg({ type: QueueNameEnum, required: true }) },
    resolve: (_, { name }, ctx) => ctx.monitor.pauseQueue(name),
  }),
  resumeQueue: t.field({
    type: QueueControlRef,
    args: { name: t.arg({ type: QueueNameEnum, required: true }) },
    resolve: (_, { name }, ctx) => ctx.monitor.resumeQueue(name),
  }),
  purgeQueue: t.field({
    type: PurgeQueuePayloadRef,
    description:
      'Cancels every waiting (and delayed) job of the queue with the reason "purged"; running jobs go on.',
    args: { name: t.arg({ type: QueueNameEnum, required: true }) },
    resolve: (_, { name }, ctx) => ctx.monitor.purgeQueue(name),
  }),
}));

builder.subscriptionFields((t) => ({
  workersUpdated: t.field({
    type: [WorkerRef],
    description: 'The worker list now, then again whenever it changes (read at most once a second).',
    subscribe: (_, __, ctx) => ctx.monitor.workersUpdated(),
    resolve: (list) => list,
  }),
}));
