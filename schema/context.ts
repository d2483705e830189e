/**
 * What resolvers may call. The server implements these operations (server/jobs, server/integrations); the schema
 * depends only on this contract and on the record's types.
 */
import type { Principal } from '../server/auth/principal.ts';
import type {
  ApiKeyRole,
  AuditEntry,
  Integration,
  ItemLedgerEntry,
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

/** A page of the item ledger, newest first. */
export interface LedgerPage {
  entries: ItemLedgerEntry[];
  /** Opaque cursor of each entry, for `after`. */
  cursors: string[];
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
  /** Set where the paused set was read with the figures (queueStatsUpdated); else `QueueFigures.paused` reads it. */
  paused?: boolean;
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
export type IntegrationView = Omit<Integration, 'credentials' | 'credentials_sealed'> & {
  has_credentials: boolean;
};

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
  /** The item ledger: what jobs did to each item (filter: integrationId, key/sku, jobId, outcome, resource). */
  itemLedger(filter: unknown, page: { first?: number | null; after?: string | null }): Promise<LedgerPage>;
}

export interface IntegrationOperations {
  create(input: unknown): Promise<IntegrationView>;
  update(id: unknown, input: unknown): Promise<IntegrationView>;
  setEnabled(id: unknown, enabled: boolean): Promise<IntegrationView>;
  get(id: unknown): Promise<IntegrationView | undefined>;
  /** Closes the integration's circuit breaker: its waiting jobs run again. */
  resume(id: unknown): Promise<IntegrationView>;
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
  monitor: MonitorOperations;
  /** The caller: the API key of the request; null without a key (only while API auth is off) and on the monitor. */
  principal: Principal | null;
  /** API keys, the audit log and whether keys are required; the API serves them, the monitor does not. */
  access?: AccessOperations;
}

export type { Principal };

/** An API key as anyone may see it: never its secret nor its hash. */
export interface ApiKeyView {
  id: string;
  name: string;
  role: ApiKeyRole;
  /** `so_<public id>_…`: recognisable, not usable. */
  prefix: string;
  createdBy: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

export interface CreatedApiKey {
  key: ApiKeyView;
  /** The whole key; shown once, never stored. */
  secret: string;
}

export interface AuditPage {
  entries: AuditEntry[];
  cursors: string[];
  totalCount: number;
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface AccessOperations {
  /** Whether requests need an API key (API_AUTH=required). */
  authRequired: boolean;
  /** `{ name, role, expiresIn?: '30d', expiresAt?, createdBy? }`. */
  createApiKey(input: unknown): Promise<CreatedApiKey>;
  apiKeys(options: { includeRevoked?: boolean }): Promise<ApiKeyView[]>;
  /** Revokes the key and closes its open connections in every API process. */
  revokeApiKey(id: unknown): Promise<ApiKeyView>;
  /** Newest first; filter `{ action?: string[], keyId?, after?, before? }`. */
  auditLog(filter: unknown, page: { first?: number | null; after?: string | null }): Promise<AuditPage>;
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

/** One queue as a worker consumes it. */
export interface WorkerQueueView {
  name: QueueName;
  /** Jobs of this queue the worker runs at once (0: it does not take from this queue). */
  concurrency: number;
  /** The worker has stopped taking from this queue (pauseQueue). */
  paused: boolean;
}

/** A job a worker is running. */
export interface WorkerJobView {
  jobId: string;
  queue: QueueName | null;
  attempt: number;
  startedAt: Date | null;
}

/** A worker process, as its last heartbeat in the registry described it. */
export interface WorkerView {
  id: string;
  host: string;
  pid: number;
  /** package.json version of the code it runs. */
  version: string;
  /** RUNNING, or STOPPING once it received SIGTERM (it takes no new jobs). */
  state: 'RUNNING' | 'STOPPING';
  queues: WorkerQueueView[];
  running: WorkerJobView[];
  /** Deliveries it finished (any outcome) since it started. */
  processed: number;
  succeeded: number;
  /** Deliveries that failed (final failures and failed attempts that will retry). */
  failed: number;
  startedAt: Date;
  lastSeenAt: Date;
  /** False once it has not beaten for WORKER_OFFLINE_AFTER_MS. */
  online: boolean;
}

export interface ThroughputWindow {
  minutes: number;
  completed: number;
  failed: number;
  completedPerMinute: number;
  failedPerMinute: number;
  /** failed / (completed + failed), null when nothing finished. */
  failureRate: number | null;
}

/** Seconds; null when there is nothing to measure. */
export interface DurationPercentiles {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface QueuePerformance {
  queue: QueueName;
  /** Completed and failed jobs over the last 1, 5 and 15 minutes. */
  throughput: ThroughputWindow[];
  /** The window of `failureRate`, `waitSeconds` and `runSeconds`. */
  windowMinutes: number;
  failureRate: number | null;
  /** started_at − coalesce(run_at, created_at) of the jobs that started in the window. */
  waitSeconds: DurationPercentiles;
  /** finished_at − started_at of the jobs that completed or failed in the window. */
  runSeconds: DurationPercentiles;
}

export interface QueueControlView {
  name: QueueName;
  paused: boolean;
  /** When it was last paused or resumed; null if never. */
  changedAt: Date | null;
}

export interface PurgeResult {
  queue: QueueName;
  /** Waiting jobs cancelled. */
  purged: number;
  jobIds: string[];
}

export interface JobLogLineView {
  at: Date;
  level: 'INFO' | 'WARN' | 'ERROR' | 'FATAL';
  attempt: number;
  message: string;
  /** The line's other fields (error, counts, …). */
  data: unknown;
  workerId: string | null;
}

/** Workers, queue performance and queue control (the monitor's operations; the API serves them too). */
export interface MonitorOperations {
  workers(): Promise<WorkerView[]>;
  /** The current worker list, then each change, at most once a second. */
  workersUpdated(): AsyncIterable<WorkerView[]>;
  queuePerformance(input: unknown): Promise<QueuePerformance[]>;
  pausedQueues(): Promise<QueueName[]>;
  /** Every worker stops taking jobs from the queue within a second; running jobs finish. */
  pauseQueue(name: unknown): Promise<QueueControlView>;
  resumeQueue(name: unknown): Promise<QueueControlView>;
  /** Cancels every waiting job of the queue (running jobs are untouched). */
  purgeQueue(name: unknown): Promise<PurgeResult>;
  /** The newest `last` lines of a job, oldest first. */
  jobLogs(jobId: string, last: unknown): Promise<JobLogLineView[]>;
}
