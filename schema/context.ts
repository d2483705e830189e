/**
 * What resolvers may call. The server implements these operations (server/jobs, server/integrations); the schema
 * depends only on this contract and on the record's types.
 */
import type {
  Integration,
  JobEventKind,
  JobStatus,
  QueueName,
  Schedule,
  ScheduleRun,
  SyncJob,
  SyncJobEvent,
} from '../db/types.ts';

export interface CreatedJob {
  job: SyncJob;
  /** True when an existing job was returned (same waiting sync, or a replayed idempotency key). */
  deduplicated: boolean;
}

export interface JobPage {
  jobs: SyncJob[];
  /** Opaque cursor of each job, for `after`. */
  cursors: string[];
  totalCount: number;
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface QueueFigures {
  name: QueueName;
  waiting: number;
  active: number;
  delayed: number;
  completedLastHour: number;
  failedLastHour: number;
  oldestWaitingSeconds: number | null;
}

export interface ThroughputPoint {
  minute: Date;
  completed: number;
  failed: number;
}

export interface QueueStats {
  queues: QueueFigures[];
  totals: Record<JobStatus, number>;
  generatedAt: Date;
}

/** An integration as any API may show it: credentials are write-only and never leave the service. */
export type IntegrationView = Omit<Integration, 'credentials'> & { has_credentials: boolean };

/** Inputs are passed through unvalidated: the operations validate them, the same way for every API. */
export interface JobOperations {
  create(input: unknown): Promise<CreatedJob>;
  bulkCreate(inputs: unknown[]): Promise<CreatedJob[]>;
  quickSync(input: unknown): Promise<CreatedJob[]>;
  cancel(id: unknown): Promise<SyncJob>;
  retry(id: unknown): Promise<CreatedJob>;
  reschedule(id: unknown, runAt: unknown): Promise<CreatedJob>;
  events(id: unknown): Promise<SyncJobEvent[]>;
  throughput(input: unknown): Promise<ThroughputPoint[]>;
  latestByType(integrationId: string): Promise<SyncJob[]>;
  get(id: unknown): Promise<SyncJob | undefined>;
  list(
    filter: unknown,
    page: { first?: number | null; after?: string | null; offset?: number | null },
  ): Promise<JobPage>;
  stats(): Promise<QueueStats>;
}

export interface IntegrationOperations {
  create(input: unknown): Promise<IntegrationView>;
  update(id: unknown, input: unknown): Promise<IntegrationView>;
  setEnabled(id: unknown, enabled: boolean): Promise<IntegrationView>;
  get(id: unknown): Promise<IntegrationView | undefined>;
  list(filter?: {
    enabled?: boolean | null;
    platform?: Integration['platform'] | null;
  }): Promise<IntegrationView[]>;
}

/** Periodic schedules (cron + timezone); the scheduler role fires them. */
export interface ScheduleOperations {
  list(filter?: { enabled?: boolean | null }): Promise<Schedule[]>;
  get(id: unknown): Promise<Schedule | undefined>;
  create(input: unknown): Promise<Schedule>;
  /** Fields left out keep their value; changing the target clears the fields of the old one not given again. */
  update(id: unknown, input: unknown): Promise<Schedule>;
  /** A paused schedule fires nothing; resuming plans the next slot from now (paused slots are not made up). */
  pause(id: unknown): Promise<Schedule>;
  resume(id: unknown): Promise<Schedule>;
  /** Returns the deleted schedule. */
  delete(id: unknown): Promise<Schedule>;
  /** The next slot: the stored one, or computed from the cron expression when none is stored yet. */
  nextRunAt(schedule: Schedule): Date | null;
  /** The next `count` slots (1–50) after the next run. */
  upcoming(schedule: Schedule, count: unknown): Date[];
  /** Newest slot first. */
  runs(scheduleId: string, first: unknown): Promise<ScheduleRun[]>;
  /** The jobs its last firing created (that still exist). */
  lastJobs(schedule: Schedule): Promise<SyncJob[]>;
}

export interface SchemaContext {
  jobs: JobOperations;
  integrations: IntegrationOperations;
  live: LiveOperations;
  schedules: ScheduleOperations;
}

export interface JobEventView {
  kind: JobEventKind;
  job: SyncJob;
  at: string;
}

/** Live subscriptions; each iterable ends when the subscriber leaves. */
export interface LiveOperations {
  /** The job's current snapshot first, then every change; ends after a terminal state. */
  jobUpdated(id: unknown): Promise<AsyncIterable<SyncJob>>;
  /** Every change of every job matching the filter. */
  jobEvents(filter: unknown): Promise<AsyncIterable<JobEventView>>;
  /** The current queue stats, then each change, at most once a second. */
  queueStats(): AsyncIterable<QueueStats>;
}
