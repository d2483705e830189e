/** The REST shim's wire format: snake_case keys and lowercase enum values, as in the seed's API. */
import type { SyncJob, SyncJobEvent } from '../../db/types.ts';
import type { CreatedJob, QueueStats } from '../../schema/context.ts';

export function toSnakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export function toCamelCase(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Recursively renames object keys to snake_case (for free-form JSON such as a job's result). */
export function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [toSnakeCase(k), snakeKeys(v)]));
  }
  return value;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function formatJob(job: SyncJob, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const options = job.options as { fullSync?: boolean; batchSize?: number; dryRun?: boolean };
  return {
    id: job.id,
    integration_id: job.integration_id,
    sync_type: job.sync_type.toLowerCase(),
    priority: job.priority.toLowerCase(),
    queue: job.queue,
    origin: job.origin.toLowerCase(),
    status: job.status.toLowerCase(),
    progress: job.progress,
    processed_items: job.processed_items,
    total_items: job.total_items,
    failed_items: job.failed_items,
    message: job.message,
    options: {
      full_sync: options.fullSync ?? false,
      batch_size: options.batchSize ?? 100,
      dry_run: options.dryRun ?? false,
    },
    result: snakeKeys(job.result),
    error: snakeKeys(job.error),
    attempts: job.attempts,
    max_attempts: job.max_attempts,
    idempotency_key: job.idempotency_key,
    worker_id: job.worker_id,
    run_at: iso(job.run_at),
    cancel_requested_at: iso(job.cancel_requested_at),
    created_at: iso(job.created_at),
    started_at: iso(job.started_at),
    finished_at: iso(job.finished_at),
    updated_at: iso(job.updated_at),
    retry_of: job.retry_of,
    parent_id: job.parent_id,
    child_count: job.child_count,
    children_finished: job.children_finished,
    children_failed: job.children_failed,
    children_cancelled: job.children_cancelled,
    ...extra,
  };
}

export function formatCreated(created: CreatedJob): Record<string, unknown> {
  return formatJob(created.job, { deduplicated: created.deduplicated });
}

export function formatQueueStats(stats: QueueStats): Record<string, unknown> {
  return {
    queues: Object.fromEntries(
      stats.queues.map((q) => [
        q.name,
        {
          waiting: q.waiting,
          active: q.active,
          delayed: q.delayed,
          completed_last_hour: q.completedLastHour,
          failed_last_hour: q.failedLastHour,
          oldest_waiting_seconds: q.oldestWaitingSeconds,
        },
      ]),
    ),
    totals: Object.fromEntries(Object.entries(stats.totals).map(([k, v]) => [k.toLowerCase(), v])),
    generated_at: stats.generatedAt.toISOString(),
  };
}

/** Translates a REST body (snake_case keys, lowercase enums) into the service's input shape. */
export function parseJobBody(body: unknown): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const camel = toCamelCase(key);
    if ((camel === 'syncType' || camel === 'priority') && typeof value === 'string') {
      out[camel] = normalizeEnum(camel, value);
    } else if (camel === 'syncTypes' && Array.isArray(value)) {
      out[camel] = value.map((v) => (typeof v === 'string' ? v.toUpperCase() : v));
    } else if (camel === 'options' && value && typeof value === 'object' && !Array.isArray(value)) {
      out[camel] = Object.fromEntries(Object.entries(value).map(([k, v]) => [toCamelCase(k), v]));
    } else {
      out[camel] = value;
    }
  }
  return out;
}

function normalizeEnum(field: 'syncType' | 'priority', value: string): string {
  const upper = value.trim().toUpperCase();
  // Celery-era clients say "medium"; it is our NORMAL.
  if (field === 'priority' && upper === 'MEDIUM') return 'NORMAL';
  return upper;
}

export function formatJobEvent(event: SyncJobEvent): Record<string, unknown> {
  return {
    kind: event.kind.toLowerCase(),
    status: event.status.toLowerCase(),
    attempt: event.attempt,
    message: event.message,
    progress: event.progress,
    processed_items: event.processed_items,
    total_items: event.total_items,
    failed_items: event.failed_items,
    error: snakeKeys(event.error),
    at: iso(event.at),
  };
}
