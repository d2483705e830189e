/**
 * Cluster-wide, monotonic job metrics kept in Redis. Whatever process publishes a job event (a worker recording an
 * outcome, an API replica creating or cancelling, the reconciler) counts it here in the same breath, pipelined:
 * `HINCRBY` per counter, and one histogram bucket per observed wait or run time. The API and the monitor read them
 * at scrape time (server/metrics/registry.ts), so every replica reports the same totals and a restart loses nothing.
 */
import type { ChainableCommander, Redis } from 'ioredis';
import type { JobEventKind, QueueName, SyncJob } from '../../db/types.ts';
import type { JobEventPublisher } from '../events/job-events.ts';
import type { Logger } from '../logger.ts';
import { monitorKeys } from '../monitor/topics.ts';

/** Events that are counted, and the counter each one moves. */
export const JOB_COUNTERS = {
  CREATED: 'created',
  STARTED: 'started',
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  RETRYING: 'retried',
} as const satisfies Partial<Record<JobEventKind, string>>;
export type JobCounter = (typeof JOB_COUNTERS)[keyof typeof JOB_COUNTERS];

/** Upper bounds (seconds) of the wait and run time histograms. */
export const DURATION_BUCKETS_SECONDS = [
  0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600,
] as const;

export const DURATION_MEASURES = ['wait', 'run'] as const;
export type DurationMeasure = (typeof DURATION_MEASURES)[number];

const ms = (value: unknown): number | undefined => {
  if (value === null || value === undefined) return undefined;
  const t = new Date(value as string | Date).getTime();
  return Number.isFinite(t) ? t : undefined;
};

/** Index of the first bucket whose bound holds `seconds` (the last index is +Inf). */
export function bucketIndex(seconds: number): number {
  const i = DURATION_BUCKETS_SECONDS.findIndex((bound) => seconds <= bound);
  return i === -1 ? DURATION_BUCKETS_SECONDS.length : i;
}

function observation(
  kind: JobEventKind,
  job: SyncJob,
): { measure: DurationMeasure; seconds: number } | undefined {
  if (kind === 'STARTED' && job.attempts === 1) {
    const started = ms(job.started_at);
    const due = ms(job.run_at) ?? ms(job.created_at);
    if (started !== undefined && due !== undefined)
      return { measure: 'wait', seconds: Math.max(0, (started - due) / 1000) };
  }
  if (kind === 'COMPLETED' || kind === 'FAILED') {
    const started = ms(job.started_at);
    const finished = ms(job.finished_at);
    if (started !== undefined && finished !== undefined) {
      return { measure: 'run', seconds: Math.max(0, (finished - started) / 1000) };
    }
  }
  return undefined;
}

export interface JobMetricsRecorder {
  /** Counts the events of jobs that are queue work (parents of full syncs are left out). */
  record(events: { kind: JobEventKind; job: SyncJob }[]): Promise<void>;
  /** Queues the same counting commands on a caller's pipeline; returns how many it queued. */
  append(pipeline: ChainableCommander, events: { kind: JobEventKind; job: SyncJob }[]): number;
}

export function createJobMetricsRecorder(redis: Redis, prefix: string): JobMetricsRecorder {
  const counters = monitorKeys.jobCounters(prefix);
  // A batch of events moves each counter once, by its total: a worker publishing fifty completions of one queue
  // and type sends one HINCRBY for them, not fifty.
  function append(pipeline: ChainableCommander, events: { kind: JobEventKind; job: SyncJob }[]): number {
    const increments = new Map<string, Map<string, number>>();
    const sums = new Map<string, Map<string, number>>();
    const add = (into: Map<string, Map<string, number>>, key: string, field: string, by: number) => {
      let fields = into.get(key);
      if (!fields) into.set(key, (fields = new Map()));
      fields.set(field, (fields.get(field) ?? 0) + by);
    };
    for (const { kind, job } of events) {
      if (job.child_count != null) continue;
      const counter = (JOB_COUNTERS as Partial<Record<JobEventKind, JobCounter>>)[kind];
      if (!counter) continue;
      add(increments, counters, `${counter}|${job.queue}|${job.sync_type}`, 1);
      const seen = observation(kind, job);
      if (seen) {
        const key = monitorKeys.histogram(prefix, seen.measure);
        const series = `${job.queue}|${job.sync_type}`;
        add(increments, key, `${series}|${bucketIndex(seen.seconds)}`, 1);
        add(increments, key, `${series}|count`, 1);
        add(sums, key, `${series}|sum`, seen.seconds);
      }
    }
    let commands = 0;
    for (const [key, fields] of increments) {
      for (const [field, by] of fields) pipeline.hincrby(key, field, by);
      commands += fields.size;
    }
    for (const [key, fields] of sums) {
      for (const [field, by] of fields) pipeline.hincrbyfloat(key, field, by);
      commands += fields.size;
    }
    return commands;
  }
  return {
    append,
    async record(events) {
      const pipeline = redis.pipeline();
      if (append(pipeline, events) > 0) await pipeline.exec();
    },
  };
}

export interface CountedEvent {
  kind: JobEventKind;
  job: SyncJob;
}

/**
 * A publisher that counts every event it publishes. `onEvents` sees them too (a worker keeps its own totals there).
 * The counters ride in the events' own pipeline, after them (one round trip per transition); a counter lost to a
 * Redis error is never a failed publish. A publisher without `publishWith` gets them in a second pipeline that the
 * publish does not wait for.
 */
export function withJobMetrics(
  inner: JobEventPublisher,
  options: { recorder: JobMetricsRecorder; log: Logger; onEvents?: (events: CountedEvent[]) => void },
): JobEventPublisher {
  return {
    async publish(events) {
      options.onEvents?.(events);
      if (inner.publishWith) {
        await inner.publishWith(events, (pipeline) => options.recorder.append(pipeline, events));
        return;
      }
      const publishing = inner.publish(events);
      void options.recorder
        .record(events)
        .catch((err: unknown) => options.log.warn({ err }, 'could not count job events'));
      await publishing;
    },
    requestCancel: (jobId) => inner.requestCancel(jobId),
  };
}

export interface JobCounterSample {
  counter: JobCounter;
  queue: QueueName;
  type: string;
  value: number;
}

/** The counters as stored: one sample per (counter, queue, type) seen so far. */
export async function readJobCounters(redis: Redis, prefix: string): Promise<JobCounterSample[]> {
  const hash = await redis.hgetall(monitorKeys.jobCounters(prefix));
  return Object.entries(hash).flatMap(([field, value]) => {
    const [counter, queue, type] = field.split('|');
    if (!counter || !queue || !type) return [];
    return [{ counter: counter as JobCounter, queue: queue as QueueName, type, value: Number(value) }];
  });
}

export interface HistogramSeries {
  queue: QueueName;
  type: string;
  /** Non-cumulative count per bucket of DURATION_BUCKETS_SECONDS, then +Inf. */
  buckets: number[];
  sum: number;
  count: number;
}

export async function readDurationHistogram(
  redis: Redis,
  prefix: string,
  measure: DurationMeasure,
): Promise<HistogramSeries[]> {
  const hash = await redis.hgetall(monitorKeys.histogram(prefix, measure));
  const series = new Map<string, HistogramSeries>();
  for (const [field, value] of Object.entries(hash)) {
    const [queue, type, slot] = field.split('|');
    if (!queue || !type || slot === undefined) continue;
    const key = `${queue}|${type}`;
    let s = series.get(key);
    if (!s) {
      s = {
        queue: queue as QueueName,
        type,
        buckets: new Array<number>(DURATION_BUCKETS_SECONDS.length + 1).fill(0),
        sum: 0,
        count: 0,
      };
      series.set(key, s);
    }
    if (slot === 'sum') s.sum = Number(value);
    else if (slot === 'count') s.count = Number(value);
    else if (Number.isInteger(Number(slot)) && Number(slot) < s.buckets.length)
      s.buckets[Number(slot)] = Number(value);
  }
  return [...series.values()];
}
