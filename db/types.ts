/**
 * The vocabulary of the job record and the table types kysely checks queries against.
 * Written by hand to match `db/migrations`; `db/schema.sql` is the dumped DDL.
 */
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

export const JOB_STATUSES = ['QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const FINISHED_STATUSES: readonly JobStatus[] = ['COMPLETED', 'FAILED', 'CANCELLED'];

/** Sync types a user can request. `cleanup` is internal maintenance work. */
export const SYNC_TYPES = ['PRODUCTS', 'INVENTORY', 'ORDERS', 'ALL'] as const;
export type SyncType = (typeof SYNC_TYPES)[number];
export const JOB_TYPES = [...SYNC_TYPES, 'CLEANUP'] as const;
export type JobType = (typeof JOB_TYPES)[number];

export const PRIORITIES = ['LOW', 'NORMAL', 'HIGH', 'URGENT'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Where a job came from; part of the routing decision. */
export const ORIGINS = ['API', 'BULK', 'QUICK', 'SCHEDULE', 'SYSTEM'] as const;
export type Origin = (typeof ORIGINS)[number];

/** The seed's eight queues, in the order they are shown. */
export const QUEUE_NAMES = [
  'urgent',
  'high_priority',
  'sync_products',
  'sync_inventory',
  'sync_orders',
  'sync_bulk',
  'maintenance',
  'default',
] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** What happened to a job, as published to live subscribers. */
export const JOB_EVENT_KINDS = [
  'CREATED',
  'STARTED',
  'PROGRESS',
  'RETRYING',
  'CANCEL_REQUESTED',
  'RESCHEDULED',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
] as const;
export type JobEventKind = (typeof JOB_EVENT_KINDS)[number];

export const PLATFORMS = ['SANDBOX', 'BLING', 'MERCADO_LIVRE', 'NUVEMSHOP'] as const;
export type Platform = (typeof PLATFORMS)[number];

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json = ColumnType<unknown, string, string>;
type JsonObject = ColumnType<Record<string, unknown>, string, string>;

export interface IntegrationsTable {
  id: Generated<string>;
  name: string;
  platform: Platform;
  enabled: Generated<boolean>;
  settings: JsonObject;
  /** Legacy plaintext credentials of rows written before sealing; cleared when the row is re-sealed. */
  credentials: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  /** Credentials sealed by the SecretBox (server/security/secrets.ts); never leaves the server. */
  credentials_sealed: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
  /** Circuit breaker: set while the integration's jobs wait (bad credentials, repeated outages). */
  paused_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  pause_code: ColumnType<string | null, string | null | undefined, string | null>;
  pause_reason: ColumnType<string | null, string | null | undefined, string | null>;
  /** When the breaker lets calls through again by itself; null: only a reconnect or resume does. */
  paused_until: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface SyncJobsTable {
  id: string;
  /** Null for maintenance jobs (CLEANUP), which belong to no integration. */
  integration_id: string | null;
  sync_type: JobType;
  priority: Priority;
  origin: Origin;
  queue: QueueName;
  status: JobStatus;
  options: JsonObject;
  idempotency_key: string | null;
  dedup_key: string | null;
  progress: Generated<number>;
  processed_items: Generated<number>;
  total_items: number | null;
  failed_items: Generated<number>;
  message: string | null;
  result: Json | null;
  error: ColumnType<JobError | null, string | null, string | null>;
  attempts: Generated<number>;
  max_attempts: number;
  run_at: Timestamp | null;
  cancel_requested_at: Timestamp | null;
  worker_id: string | null;
  heartbeat_at: Timestamp | null;
  created_at: GeneratedTimestamp;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  updated_at: GeneratedTimestamp;
  /** Bumped by a trigger on every change: orders snapshots published by different processes. */
  version: Generated<number>;
  /** The failed or cancelled job this one retries. */
  retry_of: ColumnType<string | null, string | null | undefined, string | null>;
  /** Set on the children of a full sync. */
  parent_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** Set on parents only: how many children the parent waits for. Workers never run a parent. */
  child_count: ColumnType<number | null, number | null | undefined, number | null>;
  children_finished: Generated<number>;
  children_failed: Generated<number>;
  children_cancelled: Generated<number>;
}

/** One entry of a job's timeline, written by a trigger on sync_jobs. */
export interface SyncJobEventsTable {
  id: Generated<string>;
  job_id: string;
  kind: JobEventKind;
  status: JobStatus;
  attempt: number;
  message: string | null;
  progress: number;
  processed_items: number;
  total_items: number | null;
  failed_items: number;
  error: ColumnType<JobError | null, string | null, string | null>;
  at: GeneratedTimestamp;
}

/** What a failed or cancelled job records about why. */
export interface JobError {
  code: string;
  message: string;
  attempt?: number;
  retryable?: boolean;
}

export interface SyncWatermarksTable {
  integration_id: string;
  resource: string;
  watermark: Timestamp;
  updated_at: GeneratedTimestamp;
}

export interface SandboxProductsTable {
  integration_id: string;
  sku: string;
  product_code: string;
  name: string;
  price: ColumnType<string, string | number, string | number>;
  updated_at: GeneratedTimestamp;
}

export interface SandboxStockTable {
  integration_id: string;
  sku: string;
  warehouse: string;
  quantity: number;
  updated_at: GeneratedTimestamp;
}

export interface SandboxOrdersTable {
  integration_id: string;
  external_id: string;
  status: string;
  total: ColumnType<string, string | number, string | number>;
  items: JsonObject;
  updated_at: GeneratedTimestamp;
}

export interface SandboxListingsTable {
  integration_id: string;
  sku: string;
  name: string | null;
  price: ColumnType<string | null, string | number | null, string | number | null>;
  quantity: number | null;
  synced_at: GeneratedTimestamp;
}

export interface SandboxImportedOrdersTable {
  integration_id: string;
  external_id: string;
  status: string;
  total: ColumnType<string, string | number, string | number>;
  imported_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

/** What a schedule fires: one integration, every enabled integration, or the retention cleanup. */
export const SCHEDULE_TARGETS = ['INTEGRATION', 'ALL_INTEGRATIONS', 'CLEANUP'] as const;
export type ScheduleTarget = (typeof SCHEDULE_TARGETS)[number];

/** After downtime: run the most recent missed slot once, or skip missed slots. */
export const MISSED_RUN_POLICIES = ['RUN_ONCE', 'SKIP'] as const;
export type MissedRunPolicy = (typeof MISSED_RUN_POLICIES)[number];

/** PENDING: claimed, jobs not yet recorded; FIRED: jobs created; SKIPPED: missed under SKIP; FAILED: gave up. */
export const SCHEDULE_RUN_STATUSES = ['PENDING', 'FIRED', 'SKIPPED', 'FAILED'] as const;
export type ScheduleRunStatus = (typeof SCHEDULE_RUN_STATUSES)[number];

/** Why a schedule's last slot did not fire. */
export interface ScheduleError {
  code: string;
  message: string;
  /** The slot it concerns, ISO-8601. */
  slot: string;
}

export interface SchedulesTable {
  id: Generated<string>;
  name: string;
  cron: string;
  timezone: string;
  target: ScheduleTarget;
  /** The type of job a sync target creates; null for CLEANUP. */
  sync_type: SyncType | null;
  /** Set for target INTEGRATION only. */
  integration_id: string | null;
  priority: Priority;
  options: JsonObject;
  enabled: Generated<boolean>;
  missed_run_policy: Generated<MissedRunPolicy>;
  /** The next slot to fire; null while disabled (and for seeded rows until a scheduler computes it). */
  next_run_at: Timestamp | null;
  /** When the schedule last fired (the scheduler's clock), and the slot that firing was for. */
  last_run_at: Timestamp | null;
  last_run_slot: Timestamp | null;
  last_job_ids: ColumnType<string[], string[] | undefined, string[]>;
  last_error: ColumnType<ScheduleError | null, string | null | undefined, string | null>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

/** One slot of one schedule: the row is the claim that makes a slot fire once across scheduler replicas. */
export interface ScheduleRunsTable {
  schedule_id: string;
  slot: Timestamp;
  status: ScheduleRunStatus;
  claimed_by: string | null;
  claimed_at: Timestamp;
  attempts: Generated<number>;
  fired_at: Timestamp | null;
  job_ids: ColumnType<string[], string[] | undefined, string[]>;
  job_count: Generated<number>;
  deduplicated_count: Generated<number>;
  error: ColumnType<ScheduleError | null, string | null | undefined, string | null>;
}

/** Roles of API keys, weakest first: each can do everything the one before it can. */
export const API_KEY_ROLES = ['viewer', 'operator', 'admin'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

/** An API key; only a hash of its secret is kept. */
export interface ApiKeysTable {
  id: Generated<string>;
  /** The short, non-secret part of the key, used to find the row. */
  public_id: string;
  name: string;
  role: ApiKeyRole;
  /** sha256 (hex) of the whole key. */
  secret_hash: string;
  created_by: string | null;
  created_at: GeneratedTimestamp;
  expires_at: Timestamp | null;
  revoked_at: Timestamp | null;
  last_used_at: Timestamp | null;
}

/** One privileged action: who did what, when, with which arguments (never secrets). */
export interface AuditLogTable {
  id: Generated<number>;
  at: GeneratedTimestamp;
  actor_key_id: string | null;
  actor_name: string;
  actor_role: string | null;
  action: string;
  target: string | null;
  args: Json | null;
}

/** The error budget behind an integration's breaker. */
export interface IntegrationHealthTable {
  integration_id: string;
  consecutive_failures: Generated<number>;
  window_started_at: GeneratedTimestamp;
  window_errors: Generated<number>;
  last_error_code: string | null;
  last_error_message: string | null;
  last_error_at: Timestamp | null;
  updated_at: GeneratedTimestamp;
}

/** OAuth tokens of an integration, sealed (SecretBox); `version` guards a refresh (compare-and-set). */
export interface IntegrationTokensTable {
  integration_id: string;
  sealed: string;
  expires_at: Timestamp;
  version: Generated<number>;
  updated_at: GeneratedTimestamp;
}

type Decimal = ColumnType<string, string | number, string | number>;
type NullableDecimal = ColumnType<string | null, string | number | null | undefined, string | number | null>;

/** The hub's catalog: one row per sellable SKU, fed by the ERP. */
export interface HubProductsTable {
  sku: string;
  name: string;
  price: Decimal;
  source_integration_id: string | null;
  external_id: string | null;
  parent_external_id: string | null;
  source_updated_at: Timestamp;
  updated_at: GeneratedTimestamp;
}

/** Stock on hand per SKU and ERP warehouse. */
export interface HubStockTable {
  sku: string;
  warehouse: string;
  on_hand: number;
  source_integration_id: string | null;
  source_updated_at: Timestamp;
  updated_at: GeneratedTimestamp;
}

export const HUB_ORDER_STATUSES = ['PENDING', 'PAID', 'CANCELLED', 'SHIPPED'] as const;
export type HubOrderStatus = (typeof HUB_ORDER_STATUSES)[number];

export interface HubOrderLine {
  sku: string;
  quantity: number;
  unitPrice: string;
}

/** An order imported from a sales channel; unique per (integration, external id). */
export interface HubOrdersTable {
  id: Generated<string>;
  integration_id: string;
  external_id: string;
  pack_id: string | null;
  status: HubOrderStatus;
  total: Decimal;
  lines: ColumnType<HubOrderLine[], string, string>;
  placed_at: Timestamp;
  source_updated_at: Timestamp;
  erp_integration_id: ColumnType<string | null, string | null | undefined, string | null>;
  erp_id: ColumnType<string | null, string | null | undefined, string | null>;
  exported_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  imported_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

/** Stock an open order holds, per SKU. */
export interface HubReservationsTable {
  order_id: string;
  sku: string;
  quantity: number;
  created_at: GeneratedTimestamp;
}

/** Where a hub SKU lives on a channel, and what was last pushed there. */
export interface HubLinksTable {
  integration_id: string;
  sku: string;
  product_id: string;
  variant_id: string | null;
  pushed_name: ColumnType<string | null, string | null | undefined, string | null>;
  pushed_price: NullableDecimal;
  catalog_pushed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  pushed_stock: ColumnType<number | null, number | null | undefined, number | null>;
  stock_pushed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  linked_at: GeneratedTimestamp;
}

export const LEDGER_OUTCOMES = ['ok', 'skipped', 'failed', 'dry_run'] as const;
export type LedgerOutcome = (typeof LEDGER_OUTCOMES)[number];

/** One item a job touched: what it did, the value before and after, and how it went. */
export interface ItemLedgerTable {
  id: Generated<number>;
  job_id: string | null;
  integration_id: string;
  resource: string;
  item_key: string;
  action: string;
  before: ColumnType<unknown, string | null | undefined, string | null>;
  after: ColumnType<unknown, string | null | undefined, string | null>;
  outcome: LedgerOutcome;
  error_code: string | null;
  error_message: string | null;
  at: GeneratedTimestamp;
}

export interface DB {
  integrations: IntegrationsTable;
  sync_jobs: SyncJobsTable;
  sync_job_events: SyncJobEventsTable;
  sync_watermarks: SyncWatermarksTable;
  sandbox_products: SandboxProductsTable;
  sandbox_stock: SandboxStockTable;
  sandbox_orders: SandboxOrdersTable;
  sandbox_listings: SandboxListingsTable;
  sandbox_imported_orders: SandboxImportedOrdersTable;
  schedules: SchedulesTable;
  schedule_runs: ScheduleRunsTable;
  integration_health: IntegrationHealthTable;
  integration_tokens: IntegrationTokensTable;
  hub_products: HubProductsTable;
  hub_stock: HubStockTable;
  hub_orders: HubOrdersTable;
  hub_reservations: HubReservationsTable;
  hub_links: HubLinksTable;
  item_ledger: ItemLedgerTable;
  api_keys: ApiKeysTable;
  audit_log: AuditLogTable;
}

export type Integration = Selectable<IntegrationsTable>;
export type SyncJob = Selectable<SyncJobsTable>;
export type NewSyncJob = Insertable<SyncJobsTable>;
export type SyncJobEvent = Selectable<SyncJobEventsTable>;
export type Schedule = Selectable<SchedulesTable>;
export type ScheduleRun = Selectable<ScheduleRunsTable>;
export type HubOrder = Selectable<HubOrdersTable>;
export type HubLink = Selectable<HubLinksTable>;
export type ItemLedgerEntry = Selectable<ItemLedgerTable>;
export type ApiKey = Selectable<ApiKeysTable>;
export type AuditEntry = Selectable<AuditLogTable>;
