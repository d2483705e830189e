/**
 * Prometheus metrics for `GET /metrics` (API and monitor), computed at scrape time:
 * - job counters and wait/run histograms: cluster-wide, from the Redis hashes workers and API replicas increment
 *   (server/metrics/job-metrics.ts), so every replica reports the same monotonic totals;
 * - queue depth per queue and state (the `queueStats` figures, from Postgres), paused queues, live workers;
 * - this process's own metrics (prom-client's collectDefaultMetrics).
 * A source that fails is logged and left out of that scrape; the rest is still reported.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import { Counter, Gauge, Registry, collectDefaultMetrics, type Metric } from 'prom-client';
import { QUEUE_NAMES, type QueueName } from '../../db/types.ts';
import type { QueueStats, WorkerView } from '../../schema/context.ts';
import type { Logger } from '../logger.ts';
import {
  DURATION_BUCKETS_SECONDS,
  JOB_COUNTERS,
  readDurationHistogram,
  readJobCounters,
  type DurationMeasure,
  type HistogramSeries,
  type JobCounterSample,
} from './job-metrics.ts';

export interface MetricsSources {
  redis: Redis;
  prefix: string;
  stats(): Promise<QueueStats>;
  workers(): Promise<WorkerView[]>;
  pausedQueues(): Promise<QueueName[]>;
  log: Logger;
}

interface Snapshot {
  counters: JobCounterSample[];
  histograms: Record<DurationMeasure, HistogramSeries[]>;
  stats: QueueStats | undefined;
  workers: WorkerView[] | undefined;
  paused: QueueName[] | undefined;
}

const COUNTER_HELP: Record<string, string> = {
  created: 'Jobs created (queue work: children of full syncs count, their parents do not)',
  started: 'Job attempts started',
  completed: 'Jobs completed',
  failed: 'Jobs failed for good (attempts spent, permanent error, time limit)',
  cancelled: 'Jobs cancelled (by request or purge)',
  retried: 'Failed attempts that were queued again',
};

/** A histogram whose buckets are read from Redis at scrape time (prom-client's Histogram only counts locally). */
class StoredHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => Promise<HistogramSeries[]>,
  ) {}

  async get() {
    const values: { labels: Record<string, string>; value: number; metricName: string }[] = [];
    for (const s of await this.read()) {
      const labels = { queue: s.queue, type: s.type };
      let cumulative = 0;
      DURATION_BUCKETS_SECONDS.forEach((bound, i) => {
        cumulative += s.buckets[i] ?? 0;
        values.push({
          labels: { ...labels, le: String(bound) },
          value: cumulative,
          metricName: `${this.name}_bucket`,
        });
      });
      values.push({ labels: { ...labels, le: '+Inf' }, value: s.count, metricName: `${this.name}_bucket` });
      values.push({ labels, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {}
}

export interface MetricsEndpoint {
  registry: Registry;
  /** Answers GET /metrics in the Prometheus text format. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

export function createMetricsEndpoint(sources: MetricsSources): MetricsEndpoint {
  const { redis, prefix, log } = sources;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  // prom-client collects every metric of a scrape at once; they share one read of each source.
  let snapshot: { at: number; value: Promise<Snapshot> } | undefined;
  function load(): Promise<Snapshot> {
    if (snapshot && Date.now() - snapshot.at < 1000) return snapshot.value;
    const soft = <T>(what: string, p: Promise<T>): Promise<T | undefined> =>
      p.catch((err: unknown) => {
        log.warn({ err, source: what }, 'metrics source failed');
        return undefined;
      });
    const value = (async (): Promise<Snapshot> => {
      const [counters, wait, run, stats, workers, paused] = await Promise.all([
        soft('job counters', readJobCounters(redis, prefix)),
        soft('wait histogram', readDurationHistogram(redis, prefix, 'wait')),
        soft('run histogram', readDurationHistogram(redis, prefix, 'run')),
        soft('queue stats', sources.stats()),
        soft('workers', sources.workers()),
        soft('paused queues', sources.pausedQueues()),
      ]);
      return {
        counters: counters ?? [],
        histograms: { wait: wait ?? [], run: run ?? [] },
        stats,
        workers,
        paused,
      };
    })();
    snapshot = { at: Date.now(), value };
    return value;
  }

  for (const counter of Object.values(JOB_COUNTERS)) {
    new Counter({
      name: `sync_jobs_${counter}_total`,
      help: `${COUNTER_HELP[counter] ?? counter}, cluster-wide`,
      labelNames: ['queue', 'type'] as const,
      registers: [registry],
      async collect() {
        const { counters } = await load();
        this.reset();
        for (const s of counters)
          if (s.counter === counter) this.inc({ queue: s.queue, type: s.type }, s.value);
      },
    });
  }

  const histograms: [DurationMeasure, string, string][] = [
    ['wait', 'sync_job_wait_seconds', 'Seconds from due (run_at, else created_at) to the first start'],
    ['run', 'sync_job_run_seconds', 'Seconds from first start to completion or final failure'],
  ];
  for (const [measure, name, help] of histograms) {
    registry.registerMetric(
      new StoredHistogram(
        name,
        `${help}, cluster-wide`,
        async () => (await load()).histograms[measure],
      ) as unknown as Metric,
    );
  }

  new Gauge({
    name: 'sync_queue_jobs',
    help: 'Jobs per queue and state (waiting, active, delayed), from the record',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      const { stats } = await load();
      this.reset();
      for (const q of stats?.queues ?? []) {
        this.set({ queue: q.name, state: 'waiting' }, q.waiting);
        this.set({ queue: q.name, state: 'active' }, q.active);
        this.set({ queue: q.name, state: 'delayed' }, q.delayed);
      }
    },
  });

  new Gauge({
    name: 'sync_jobs',
    help: 'Jobs per status (units of work: a full sync counts through its children)',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const { stats } = await load();
      this.reset();
      for (const [status, n] of Object.entries(stats?.totals ?? {}))
        this.set({ status: status.toLowerCase() }, n);
    },
  });

  new Gauge({
    name: 'sync_queue_paused',
    help: '1 while a queue is paused (no worker takes from it)',
    labelNames: ['queue'] as const,
    registers: [registry],
    async collect() {
      const { paused } = await load();
      this.reset();
      if (!paused) return;
      for (const name of QUEUE_NAMES) this.set({ queue: name }, paused.includes(name) ? 1 : 0);
    },
  });

  new Gauge({
    name: 'sync_workers',
    help: 'Worker processes in the registry, online or offline (no heartbeat for WORKER_OFFLINE_AFTER_MS)',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const { workers } = await load();
      this.reset();
      if (!workers) return;
      this.set({ status: 'online' }, workers.filter((w) => w.online).length);
      this.set({ status: 'offline' }, workers.filter((w) => !w.online).length);
    },
  });

  new Gauge({
    name: 'sync_worker_running_jobs',
    help: 'Jobs running on online workers',
    registers: [registry],
    async collect() {
      const { workers } = await load();
      this.reset();
      if (workers) this.set(workers.filter((w) => w.online).reduce((n, w) => n + w.running.length, 0));
    },
  });

  return {
    registry,
    async handle(req, res) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
        res.end('Method not allowed\n');
        return;
      }
      try {
        snapshot = undefined;
        const body = await registry.metrics();
        res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : body);
      } catch (err) {
        log.error({ err }, 'metrics scrape failed');
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('metrics scrape failed\n');
      }
    },
  };
}
