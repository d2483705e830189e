/**
 * The monitor's operations (Flower's job), served by the API and the monitor alike: the worker registry, queue
 * performance from the record, and queue control — pause and resume (stored in Postgres, announced to every worker
 * over Redis pub/sub) and purge (one UPDATE … RETURNING per batch, then pipelined removals from Bee-Queue and the
 * usual job events, so live subscribers see each cancelled job).
 */
import { Repeater } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Database } from '../../db/database.ts';
import {
  cancelQueuedSyncJobsInQueue,
  listPausedQueues,
  setQueuePaused,
} from '../../db/queries/queue-control.ts';
import { THROUGHPUT_WINDOWS_MINUTES, queuePerformanceRows } from '../../db/queries/queue-performance.ts';
import { listSyncJobLogLines } from '../../db/queries/sync-job-log.ts';
import { QUEUE_NAMES, type QueueName } from '../../db/types.ts';
import type {
  DurationPercentiles,
  JobLogLineView,
  MonitorOperations,
  QueueControlView,
  QueuePerformance,
  WorkerView,
} from '../../schema/context.ts';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import { withParentSnapshots, type JobEventPublisher } from '../events/job-events.ts';
import { CLOSED, Mailbox } from '../events/mailbox.ts';
import type { Logger } from '../logger.ts';
import { parseInput } from '../validation.ts';
import { removeQueuedJobs } from './queue-purge.ts';
import { monitorKeys } from './topics.ts';
import { readWorkers } from './worker-registry.ts';

/** The message and error of a purged job. */
export const PURGE_REASON = 'purged';
const PURGE_BATCH = 1000;
/** Ids listed in a purge's answer (the count is always complete). */
const PURGE_IDS_SHOWN = 1000;

const queueName = z.enum(QUEUE_NAMES, { message: `must be one of ${QUEUE_NAMES.join(', ')}` });

export interface MonitorServiceDeps {
  db: Database;
  /** A regular connection (reads the registry, announces pause and resume). */
  redis: Redis;
  events: JobEventPublisher;
  config: Pick<Config, 'redis' | 'worker'>;
  log: Logger;
  /** How often `workersUpdated` reads the registry while someone listens (ms). */
  workersPollMs?: number;
}

export interface MonitorService extends MonitorOperations {
  /** Ends every open subscription. */
  close(): void;
}

function percentiles(count: number, values: number[] | null): DurationPercentiles {
  const at = (i: number) => {
    const v = values?.[i];
    return count > 0 && v != null ? Math.round(v * 1000) / 1000 : null;
  };
  return { count, p50: at(0), p95: at(1), p99: at(2) };
}

const rate = (failed: number, completed: number) =>
  failed + completed > 0 ? Math.round((failed / (failed + completed)) * 10_000) / 10_000 : null;

export function createMonitorService(deps: MonitorServiceDeps): MonitorService {
  const { db, redis, events, config, log } = deps;
  const prefix = config.redis.prefix;
  const times = { offlineAfterMs: config.worker.offlineAfterMs, forgetAfterMs: config.worker.forgetAfterMs };

  async function workers(): Promise<WorkerView[]> {
    try {
      return await readWorkers(redis, prefix, times);
    } catch (err) {
      log.warn({ err }, 'could not read the worker registry');
      throw new AppError('SERVICE_UNAVAILABLE', 'The worker registry (Redis) is not reachable; try again');
    }
  }

  // Many resolvers of one response ask for the paused set (QueueFigures.paused): one read serves them all.
  let pausedRead: Promise<QueueName[]> | undefined;
  function pausedQueues(): Promise<QueueName[]> {
    if (!pausedRead) {
      pausedRead = listPausedQueues(db);
      const clear = () => setImmediate(() => (pausedRead = undefined));
      pausedRead.then(clear, clear);
    }
    return pausedRead;
  }

  async function setPaused(input: unknown, paused: boolean): Promise<QueueControlView> {
    const name = parseInput(queueName, input, ['name']);
    const row = await setQueuePaused(db, name, paused);
    // Workers also re-read the paused set at every heartbeat, so a lost message delays the change, never loses it.
    // JSON, like every message on our channels (live feeds parse them; workers only look at the channel).
    await redis
      .publish(monitorKeys.queueControlChannel(prefix), JSON.stringify(name))
      .catch((err: unknown) => {
        log.warn(
          { err, queue: name },
          'could not announce the queue change; workers apply it at their next heartbeat',
        );
      });
    log.info({ queue: name, paused }, paused ? 'queue paused' : 'queue resumed');
    return { name, paused: row.paused, changedAt: row.changed_at };
  }

  // workersUpdated: one registry read per process per second while anyone listens, shared by every subscriber.
  const boxes = new Set<Mailbox<WorkerView[]>>();
  const open = new Set<() => void>();
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> | undefined;
  let lastKey: string | undefined;
  let last: WorkerView[] | undefined;

  function poll(): Promise<void> {
    polling ??= (async () => {
      try {
        const list = await readWorkers(redis, prefix, times);
        const key = JSON.stringify(list);
        if (key !== lastKey) {
          lastKey = key;
          last = list;
          for (const box of boxes) box.push(list);
        }
      } catch (err) {
        log.warn({ err }, 'worker registry poll failed');
      } finally {
        polling = undefined;
      }
    })();
    return polling;
  }

  function stopPolling(): void {
    if (timer) clearInterval(timer);
    timer = undefined;
    last = undefined;
    lastKey = undefined;
  }

  return {
    workers,
    pausedQueues,

    workersUpdated() {
      return new Repeater<WorkerView[]>(async (push, stop) => {
        const box = new Mailbox<WorkerView[]>(() => 'latest');
        boxes.add(box);
        const end = () => stop();
        open.add(end);
        const first = boxes.size === 1;
        timer ??= setInterval(() => void poll(), deps.workersPollMs ?? 1000);
        void stop.then(() => {
          open.delete(end);
          boxes.delete(box);
          box.close();
          if (boxes.size === 0) stopPolling();
        });
        if (first || !last) await poll();
        // The first poll may already have pushed into this mailbox; start from the newest picture either way.
        while (box.size > 0) await box.next();
        if (last) await push(last);
        for (;;) {
          const list = await box.next();
          if (list === CLOSED) return;
          await push(list);
        }
      });
    },

    async queuePerformance(input) {
      const { minutes, queue } = parseInput(
        z
          .object({
            minutes: z.number().int().min(1).max(1440).default(15),
            queue: queueName.nullish(),
          })
          .strict(),
        input ?? {},
      );
      const rows = new Map((await queuePerformanceRows(db, minutes)).map((r) => [r.queue, r]));
      return QUEUE_NAMES.filter((name) => !queue || name === queue).map((name): QueuePerformance => {
        const r = rows.get(name);
        const windows = THROUGHPUT_WINDOWS_MINUTES.map((m) => {
          const completed = Number(r?.[`completed_${m}`] ?? 0);
          const failed = Number(r?.[`failed_${m}`] ?? 0);
          return {
            minutes: m,
            completed,
            failed,
            completedPerMinute: Math.round((completed / m) * 100) / 100,
            failedPerMinute: Math.round((failed / m) * 100) / 100,
            failureRate: rate(failed, completed),
          };
        });
        return {
          queue: name,
          throughput: windows,
          windowMinutes: minutes,
          failureRate: rate(Number(r?.failed ?? 0), Number(r?.completed ?? 0)),
          waitSeconds: percentiles(Number(r?.wait_count ?? 0), r?.wait ?? null),
          runSeconds: percentiles(Number(r?.run_count ?? 0), r?.run ?? null),
        };
      });
    },

    pauseQueue: (name) => setPaused(name, true),
    resumeQueue: (name) => setPaused(name, false),

    async purgeQueue(input) {
      const queue = parseInput(queueName, input, ['name']);
      const ids: string[] = [];
      for (;;) {
        const rows = await cancelQueuedSyncJobsInQueue(db, queue, PURGE_REASON, PURGE_BATCH);
        if (rows.length === 0) break;
        const batch = rows.map((job) => job.id);
        ids.push(...batch);
        await removeQueuedJobs(redis, prefix, queue, batch).catch((err: unknown) => {
          log.warn({ err, queue }, 'could not remove purged jobs from Redis; workers will skip them');
        });
        try {
          await events.publish(
            await withParentSnapshots(
              db,
              rows.map((job) => ({ kind: 'CANCELLED', job })),
            ),
          );
        } catch (err) {
          log.warn({ err, queue }, 'could not publish events of purged jobs');
        }
        if (rows.length < PURGE_BATCH) break;
      }
      log.info({ queue, purged: ids.length }, 'queue purged');
      return { queue, purged: ids.length, jobIds: ids.slice(0, PURGE_IDS_SHOWN) };
    },

    async jobLogs(jobId, lastInput) {
      const last = parseInput(z.number().int().min(1).max(10_000).default(200), lastInput ?? undefined, [
        'last',
      ]);
      const rows = await listSyncJobLogLines(db, jobId, last);
      return rows.map(
        (r): JobLogLineView => ({
          at: r.at,
          level: r.level,
          attempt: r.attempt,
          message: r.message,
          data: r.data ?? null,
          workerId: r.worker_id,
        }),
      );
    },

    close() {
      for (const end of [...open]) end();
      stopPolling();
    },
  };
}
