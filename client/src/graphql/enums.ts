/**
 * Runtime lists of the schema's enum values, in the order operators think of them. The generated types are
 * unions; `Exhaustive` makes the typecheck fail when the schema gains a value a list does not have.
 */
import type { JobEventKind, JobStatus, Priority, QueueName, SyncType } from '../gql/graphql.ts';

type Exhaustive<Union, List extends readonly Union[]> = [Exclude<Union, List[number]>] extends [never]
  ? List
  : { missing: Exclude<Union, List[number]> };

function list<Union>() {
  return <const List extends readonly Union[]>(values: List & Exhaustive<Union, List>): List => values;
}

export const JOB_STATUSES = list<JobStatus>()(['QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED']);
export const FINISHED_STATUSES: readonly JobStatus[] = ['COMPLETED', 'FAILED', 'CANCELLED'];
export const SYNC_TYPES = list<SyncType>()(['PRODUCTS', 'INVENTORY', 'ORDERS', 'ALL']);
export const PRIORITIES = list<Priority>()(['URGENT', 'HIGH', 'NORMAL', 'LOW']);
export const QUEUE_NAMES = list<QueueName>()([
  'URGENT',
  'HIGH_PRIORITY',
  'SYNC_PRODUCTS',
  'SYNC_INVENTORY',
  'SYNC_ORDERS',
  'SYNC_BULK',
  'DEFAULT',
  'MAINTENANCE',
]);
export const JOB_EVENT_KINDS = list<JobEventKind>()([
  'CREATED',
  'STARTED',
  'PROGRESS',
  'RETRYING',
  'RESCHEDULED',
  'CANCEL_REQUESTED',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
]);

export function isFinished(status: JobStatus | null | undefined): boolean {
  return status != null && FINISHED_STATUSES.includes(status);
}

/** `SYNC_PRODUCTS` → `sync_products`: the queue's name in Redis and the REST API. */
export function queueLabel(queue: QueueName | null | undefined): string {
  return queue ? queue.toLowerCase() : '—';
}

/** `PRODUCTS` → `Products`. */
export function enumLabel(value: string | null | undefined): string {
  if (!value) return '—';
  const words = value.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
