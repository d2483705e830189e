/**
 * A worker process: consumes the eight Bee-Queue queues with per-queue concurrency, obeys cancel messages from
 * any process, stamps heartbeats on the jobs it holds, and runs Bee-Queue's stall check so a crashed peer's jobs run
 * again. For the monitor it also beats in the worker registry, obeys pause and resume of queues, keeps each job's
 * log lines, and counts outcomes; on stop it hands the jobs it could not finish in time back to their queue.
 *
 * Bee-Queue has no pause: pausing a queue closes this process's instance of it (`close()` stops taking at once
 * and lets running jobs finish) and resuming opens a fresh instance with the same settings.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import BeeQueue from 'bee-queue';
import { Redis } from 'ioredis';
import type { Database } from '../../db/database.ts';
import { listPausedQueues } from '../../db/queries/queue-control.ts';
import { stampSyncJobHeartbeats } from '../../db/queries/sync-job.ts';
import { QUEUE_NAMES, type JobEventKind, type QueueName, type SyncJob } from '../../db/types.ts';
import type { Config } from '../config.ts';
import type { ConnectorDeps } from '../connectors/index.ts';
import { createJobEventPublisher, jobTopics, withParentSnapshots } from '../events/job-events.ts';
import type { AnyJobHandler } from '../handlers/handler.ts';
import { getHandler } from '../handlers/registry.ts';
import type { Logger } from '../logger.ts';
import { createJobMetricsRecorder, withJobMetrics, type CountedEvent } from '../metrics/job-metrics.ts';
import { createJobLogSink } from '../monitor/job-log-sink.ts';
import { monitorKeys } from '../monitor/topics.ts';
import { packageVersion } from '../monitor/version.ts';
import type { SecretBox } from '../security/secret-box.ts';
import { createSecretBox, keyringFromConfig } from '../security/secrets.ts';
import { removeWorker, writeWorkerBeat, type WorkerBeat } from '../monitor/worker-registry.ts';
import { createQueueTransport, enqueueSpecOf, hardenBeeQueue, openBeeQueues } from '../queue/transport.ts';
import { JobCancelled, WorkerShuttingDown } from './abort-reasons.ts';
import { handBackSyncJob } from './durable-writes.ts';
import { createJobRunner, type HeldJob } from './job-runner.ts';
import { closeRedisClient } from '../redis-client.ts';

export interface WorkerOptions {
  config: Config;
  db: Database;
  log: Logger;
  /** Overrides the handler registry (tests). */
  getHandler?: (type: string) => AnyJobHandler | undefined;
  /** Opens integration credentials and OAuth tokens; defaults to the keyring from the config. */
  box?: SecretBox;
  /** Tunes the platform HTTP layer (tests: short retries, breaker thresholds). */
  platform?: Pick<ConnectorDeps, 'retry' | 'breaker' | 'fetch' | 'tokenExpirySkewMs'>;
}

export interface Worker {
  readonly id: string;
  readonly held: ReadonlyMap<string, HeldJob>;
  start(): Promise<void>;
  /**
   * Stops taking jobs at once and lets running jobs finish for up to `graceMs` (default WORKER_SHUTDOWN_GRACE_MS).
   * Then it stops the rest (their handlers get JOB_CANCEL_GRACE_MS to reach a checkpoint) and hands each back to
   * its queue without spending its attempt, at the head of the line, for another worker to take at once.
   */
  stop(graceMs?: number): Promise<void>;
}

/** Resolves true if `promise` settles within `ms`, false otherwise. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const settled = promise.then(
    () => true,
    () => true,
  );
  try {
    return await Promise.race([settled, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A fresh instance with the settings of `previous` (which openBeeQueues chose), for resuming a paused queue. */
function reopenBeeQueue(previous: BeeQueue): BeeQueue {
  const { keyPrefix, ...settings } = previous.settings as { keyPrefix: string } & Record<string, unknown>;
  const prefix = keyPrefix.slice(0, keyPrefix.length - `:${previous.name}:`.length);
  return new BeeQueue(previous.name, { ...settings, prefix });
}

export function createWorker(options: WorkerOptions): Worker {
  const { config, db } = options;
  const prefix = config.redis.prefix;
  const id = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const log = options.log.child({ workerId: id });
  const held = new Map<string, HeldJob>();
  const redis = new Redis(config.redis.url, { maxRetriesPerRequest: null });
  const subscriber = new Redis(config.redis.url, { maxRetriesPerRequest: null });
  const box = options.box ?? createSecretBox(keyringFromConfig(config, log));
  const startedAt = new Date();

  // What the registry shows: totals of the outcomes this process recorded, and where its running jobs came from.
  const totals = { processed: 0, succeeded: 0, failed: 0 };
  const runningInfo = new Map<string, { queue: QueueName; startedAt: Date | null }>();
  function tally(events: CountedEvent[]): void {
    for (const { kind, job } of events) {
      if (job.child_count != null) continue;
      if (kind === 'STARTED') runningInfo.set(job.id, { queue: job.queue, startedAt: job.started_at });
      if (kind === 'COMPLETED' || kind === 'FAILED' || kind === 'RETRYING' || kind === 'CANCELLED')
        totals.processed++;
      if (kind === 'COMPLETED') totals.succeeded++;
      if (kind === 'FAILED' || kind === 'RETRYING') totals.failed++;
    }
  }

  const rawEvents = createJobEventPublisher(redis, prefix);
  const events = withJobMetrics(rawEvents, {
    recorder: createJobMetricsRecorder(redis, prefix),
    log,
    onEvents: tally,
  });
  const jobLogs = createJobLogSink({ db, log, workerId: id, maxLinesPerJob: config.worker.jobLogLines });
  const runDelivery = createJobRunner({
    db,
    config,
    events,
    log,
    workerId: id,
    getHandler: options.getHandler ?? getHandler,
    held,
    jobLogger: (jobLog, job) => jobLogs.wrap(jobLog, job),
    connectors: { db, redis, redisPrefix: prefix, box, ...options.platform },
    onDeferred: (row) => deferred.set(row.id, row),
  });
  // Producer side, opened on first use: re-enqueues jobs handed back at shutdown.
  const transport = createQueueTransport(
    () => openBeeQueues({ redisUrl: config.redis.url, prefix, log }),
    redis,
    prefix,
  );

  const cancelChannel = jobTopics.cancel(prefix);
  const controlChannel = monitorKeys.queueControlChannel(prefix);
  const stallCheckMs = Math.max(50, Math.floor(config.worker.stallIntervalMs / 2));
  // A paused queue's running jobs may take up to the hard time limit; after that the runner has freed them anyway.
  const pauseDrainMs = config.worker.hardTimeLimitMs + config.worker.cancelGraceMs + 60_000;

  let templates: Record<QueueName, BeeQueue> | undefined;
  const templateUsed = new Set<QueueName>();
  /** Instances taking jobs, by queue. */
  const consuming = new Map<QueueName, BeeQueue>();
  /** Instances of queues with concurrency 0: open (they still raise delayed jobs) but never processing. */
  const idle: BeeQueue[] = [];
  /** Instances closing: paused, or stopping. Each settles once its running jobs are done. */
  const closing = new Set<Promise<void>>();
  let paused = new Set<QueueName>();
  let stopping = false;
  let stopped: Promise<void> | undefined;
  const timers: NodeJS.Timeout[] = [];

  /** Deliveries in progress, settled or not, by job id. */
  const inflight = new Map<string, Promise<void>>();
  /** Jobs whose handler stop() aborted: job id → the attempt to hand back once the handler returns. */
  const abandoned = new Map<string, number>();
  /** Rows handed back, waiting for Bee-Queue to release the id before they are enqueued again. */
  const handedBack = new Map<string, SyncJob>();
  /** Rows deferred until their run_at (their integration is paused), waiting to be enqueued again with that delay. */
  const deferred = new Map<string, SyncJob>();
  const requeues = new Set<Promise<void>>();

  async function publishQuietly(kind: JobEventKind, job: SyncJob): Promise<void> {
    try {
      await rawEvents.publish(await withParentSnapshots(db, [{ kind, job }]));
    } catch (err) {
      log.warn({ err, jobId: job.id }, 'could not publish job event');
    }
  }

  function deliver(queue: QueueName, jobId: string): Promise<void> {
    const run = (async () => {
      await runDelivery(queue, jobId);
      const attempt = abandoned.get(jobId);
      if (attempt === undefined) return;
      abandoned.delete(jobId);
      // The handler has returned, so nothing of this attempt writes any more: the next worker may run it as the
      // same attempt. Bee-Queue still holds the id (active) until this function returns; see onSucceeded.
      const row = await handBackSyncJob(db, jobId, attempt);
      if (!row) return;
      if (row.status === 'QUEUED') handedBack.set(jobId, row);
      await publishQuietly(row.status === 'QUEUED' ? 'RETRYING' : 'CANCELLED', row);
    })();
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    inflight.set(jobId, settled);
    void settled.then(() => inflight.delete(jobId));
    return run;
  }

  /** Bee-Queue released a delivery (removed the id): a handed-back job goes in again, first in line. */
  function onSucceeded(job: BeeQueue.Job<unknown>): void {
    const waiting = deferred.get(String(job.id));
    if (waiting) {
      deferred.delete(waiting.id);
      const requeue = transport
        .enqueue([enqueueSpecOf(waiting, config.jobs.retryBackoffMs)])
        .then(() => log.info({ jobId: waiting.id, runAt: waiting.run_at }, 'deferred job waits in its queue'))
        .catch((err: unknown) =>
          log.warn({ err, jobId: waiting.id }, 'could not re-enqueue a deferred job; the reconciler will'),
        );
      requeues.add(requeue);
      void requeue.then(() => requeues.delete(requeue));
      return;
    }
    const row = handedBack.get(String(job.id));
    if (!row) return;
    handedBack.delete(row.id);
    const requeue = (async () => {
      await transport.enqueue([enqueueSpecOf(row, config.jobs.retryBackoffMs)]);
      await transport.jumpToFront(row.queue, row.id);
      log.info({ jobId: row.id, queue: row.queue }, 'job handed back to its queue');
    })().catch((err: unknown) =>
      log.warn({ err, jobId: row.id }, 'could not re-enqueue a handed-back job; the reconciler will'),
    );
    requeues.add(requeue);
    void requeue.then(() => requeues.delete(requeue));
  }

  function consume(name: QueueName): void {
    const template = templates![name];
    const queue = templateUsed.has(name) ? reopenBeeQueue(template) : template;
    // As openBeeQueues does for its instances.
    if (queue !== template) hardenBeeQueue(queue, log);
    templateUsed.add(name);
    queue.on('succeeded', onSucceeded);
    queue.process(config.worker.queueConcurrency[name], (job) => deliver(name, String(job.id)));
    // Bee-Queue checks once when processing starts; later checks are ours to schedule.
    void queue
      .checkStalledJobs(stallCheckMs)
      .catch((err: unknown) => log.warn({ err, queue: name }, 'stall check failed'));
    consuming.set(name, queue);
  }

  function close(queue: BeeQueue, timeoutMs: number): void {
    const closed = queue
      .close(Math.max(1, timeoutMs))
      .catch((err: unknown) => log.warn({ err, queue: queue.name }, 'queue did not close in time'));
    closing.add(closed);
    void closed.then(() => closing.delete(closed));
  }

  function release(name: QueueName, timeoutMs: number): void {
    const queue = consuming.get(name);
    if (!queue) return;
    consuming.delete(name);
    close(queue, timeoutMs);
  }

  /** Makes what this process consumes match the paused set; returns whether anything changed. */
  function applyControls(next: QueueName[]): boolean {
    paused = new Set(next);
    if (stopping || !templates) return false;
    let changed = false;
    for (const name of QUEUE_NAMES) {
      if (config.worker.queueConcurrency[name] <= 0) continue;
      if (paused.has(name) && consuming.has(name)) {
        release(name, pauseDrainMs);
        log.info({ queue: name }, 'queue paused: taking no more jobs from it');
        changed = true;
      } else if (!paused.has(name) && !consuming.has(name)) {
        consume(name);
        log.info({ queue: name }, 'queue resumed');
        changed = true;
      }
    }
    return changed;
  }

  let refreshing: Promise<void> | undefined;
  let refreshAgain = false;
  /** Reads the paused set from the record and applies it (a message on the control channel, or a heartbeat). */
  function refreshControls(): Promise<void> {
    if (refreshing) {
      refreshAgain = true;
      return refreshing;
    }
    refreshing = (async () => {
      let changed = false;
      do {
        refreshAgain = false;
        changed = applyControls(await listPausedQueues(db)) || changed;
      } while (refreshAgain);
      if (changed) await beat();
    })()
      .catch((err: unknown) => log.warn({ err }, 'could not read queue controls'))
      .finally(() => (refreshing = undefined));
    return refreshing;
  }

  function describe(): WorkerBeat {
    for (const jobId of runningInfo.keys()) if (!held.has(jobId)) runningInfo.delete(jobId);
    return {
      id,
      host: hostname(),
      pid: process.pid,
      version: packageVersion(),
      state: stopping ? 'STOPPING' : 'RUNNING',
      queues: QUEUE_NAMES.map((name) => ({
        name,
        concurrency: config.worker.queueConcurrency[name],
        paused: paused.has(name),
      })),
      running: [...held.values()].map((h) => ({
        jobId: h.id,
        attempt: h.attempt,
        queue: runningInfo.get(h.id)?.queue ?? null,
        startedAt: runningInfo.get(h.id)?.startedAt ?? null,
      })),
      ...totals,
      startedAt,
    };
  }

  let beating: Promise<void> | undefined;
  let beatAgain = false;
  /** One beat at a time (while Redis is unreachable they do not pile up); a change meanwhile is written next. */
  function beat(): Promise<void> {
    if (beating) {
      beatAgain = true;
      return beating;
    }
    beating = (async () => {
      do {
        beatAgain = false;
        await writeWorkerBeat(redis, prefix, describe(), config.worker.forgetAfterMs).catch((err: unknown) =>
          log.warn({ err }, 'worker registry heartbeat failed'),
        );
      } while (beatAgain);
    })().finally(() => (beating = undefined));
    return beating;
  }

  subscriber.on('message', (channel: string, message: string) => {
    if (channel === controlChannel) {
      void refreshControls();
      return;
    }
    if (channel !== cancelChannel) return;
    const job = held.get(message);
    if (job && !job.controller.signal.aborted) {
      log.info({ jobId: message }, 'cancel received');
      job.controller.abort(new JobCancelled());
    }
  });
  subscriber.on('error', (err) => log.warn({ err }, 'cancel subscriber error'));
  redis.on('error', (err) => log.warn({ err }, 'redis error'));

  async function shutdown(graceMs: number): Promise<void> {
    stopping = true;
    // Bounded: with Redis down, commands wait for it (maxRetriesPerRequest: null) and shutdown must not.
    await within(beat(), 1000);
    for (const name of [...consuming.keys()]) {
      release(name, graceMs + config.worker.cancelGraceMs + 5000);
    }
    for (const queue of idle) close(queue, 1000);
    const drained = Promise.all([...closing]);
    if (!(await within(drained, graceMs))) {
      const stuck = [...held.values()];
      log.warn(
        { jobs: stuck.map((h) => h.id), graceMs },
        'grace period over: stopping running jobs and handing them back to their queue',
      );
      for (const h of stuck) {
        abandoned.set(h.id, h.attempt);
        h.controller.abort(new WorkerShuttingDown());
      }
      const settling = stuck.map((h) => inflight.get(h.id) ?? Promise.resolve());
      await within(Promise.all(settling), config.worker.cancelGraceMs);
      await within(drained, 2000);
      await within(Promise.all([...requeues]), 5000);
      const ignored = [...held.keys()];
      if (ignored.length > 0) {
        log.warn(
          { jobs: ignored },
          'handlers ignored their signal; these jobs run again once the stall check sees this worker gone',
        );
      }
      if (handedBack.size > 0) {
        log.warn(
          { jobs: [...handedBack.keys()] },
          'handed-back jobs not yet re-enqueued; the stall check will',
        );
      }
    }
    for (const t of timers) clearInterval(t);
    await jobLogs.stop();
    // A beat still in flight would put this worker back after its removal.
    if (beating) await within(beating, 1000);
    await within(removeWorker(redis, prefix, id), 1000);
    subscriber.disconnect();
    await transport.close().catch(() => undefined);
    await closeRedisClient(redis);
    log.info('worker stopped');
  }

  return {
    id,
    held,
    async start() {
      // subscribe() waits for Redis: a worker started during an outage begins consuming when Redis is back.
      await subscriber.subscribe(cancelChannel, controlChannel);
      paused = new Set(await listPausedQueues(db));
      templates = openBeeQueues({
        redisUrl: config.redis.url,
        prefix,
        log,
        worker: { stallIntervalMs: config.worker.stallIntervalMs },
      });
      for (const name of QUEUE_NAMES) {
        if (config.worker.queueConcurrency[name] <= 0) idle.push(templates[name]);
        else if (paused.has(name)) {
          templateUsed.add(name);
          close(templates[name], 1000);
          log.info({ queue: name }, 'queue is paused: not taking from it');
        } else consume(name);
      }
      await Promise.all([...consuming.values(), ...idle].map((q) => q.ready()));
      timers.push(
        setInterval(() => {
          stampSyncJobHeartbeats(
            db,
            [...held.values()].map((h) => ({ id: h.id, attempt: h.attempt })),
          ).catch((err: unknown) => log.warn({ err }, 'heartbeat failed'));
        }, config.worker.heartbeatIntervalMs),
        // The registry beat also re-reads the paused set, in case a pause/resume message was missed.
        setInterval(() => void beat().then(() => refreshControls()), config.worker.heartbeatIntervalMs),
      );
      await beat();
      log.info({ queues: config.worker.queueConcurrency, paused: [...paused] }, 'worker started');
    },
    stop(graceMs = config.worker.shutdownGraceMs) {
      stopped ??= shutdown(graceMs);
      return stopped;
    },
  };
}
