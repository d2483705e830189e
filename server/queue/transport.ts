/**
 * Bee-Queue as the transport: one Bee-Queue queue per named queue, the job id in Redis is the job id in Postgres
 * (`setId`), so enqueuing twice is harmless. Bee-Queue opens its own node_redis connections from the URL; ioredis
 * is used for the few raw commands Bee-Queue does not offer.
 */
import { createRequire } from 'node:module';
import BeeQueue from 'bee-queue';
import type { Redis } from 'ioredis';
import { QUEUE_NAMES, type QueueName, type SyncJob } from '../../db/types.ts';
import type { Logger } from '../logger.ts';

export interface EnqueueSpec {
  id: string;
  queue: QueueName;
  /** Total attempts; Bee-Queue retries the rest with exponential backoff. */
  maxAttempts: number;
  attemptsDone: number;
  backoffMs: number;
  runAt?: Date | null;
}

/** How a recorded job is handed to Redis: its id and queue, the attempts it has left and when it may run. */
export function enqueueSpecOf(
  job: Pick<SyncJob, 'id' | 'queue' | 'max_attempts' | 'attempts' | 'run_at'>,
  backoffMs: number,
): EnqueueSpec {
  return {
    id: job.id,
    queue: job.queue,
    maxAttempts: job.max_attempts,
    attemptsDone: job.attempts,
    backoffMs,
    runAt: job.run_at,
  };
}

export interface QueueTransport {
  /** Pipelined per queue. Rejects if Redis does not take the jobs within `timeoutMs`. */
  enqueue(jobs: EnqueueSpec[], timeoutMs?: number): Promise<void>;
  /** Moves a waiting job to the head of its queue so it is taken next. */
  jumpToFront(queue: QueueName, id: string): Promise<void>;
  /** Removes a waiting or delayed job. Never call it for an active job. */
  remove(queue: QueueName, id: string): Promise<void>;
  /** Whether Redis still holds each job (waiting, delayed, active or retrying). */
  holds(jobs: { queue: QueueName; id: string }[]): Promise<boolean[]>;
  close(): Promise<void>;
}

export interface BeeQueueSettings {
  redisUrl: string;
  prefix: string;
  log: Logger;
  worker?: { stallIntervalMs: number };
}

export function beeQueueKey(prefix: string, queue: QueueName, key: string): string {
  return `${prefix}:bq:${queue}:${key}`;
}

// Bee-Queue's own script loader (SCRIPT EXISTS, then SCRIPT LOAD of each of its Lua scripts on one client).
const beeQueueLua = createRequire(import.meta.url)('bee-queue/lib/lua/index.js') as {
  buildCache(client: unknown): Promise<unknown>;
};

interface BeeQueueInternals {
  client?: { on(event: 'ready', listener: () => void): unknown };
  eclient?: { on(event: 'ready', listener: () => void): unknown };
  settings: { activateDelayedJobs?: boolean };
  _evalScript(...args: unknown[]): Promise<unknown>;
  _activateDelayed(): void;
}

function isNoScript(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('NOSCRIPT');
}

/**
 * Makes a Bee-Queue instance survive a Redis that comes back empty (a restart without persistence, a failover to a
 * fresh replica). Bee-Queue loads its Lua scripts once, at connect, and runs them with EVALSHA; against an empty
 * Redis every script call then fails with NOSCRIPT, forever: jobs could no longer be added, stalled jobs never came
 * back and delayed jobs (retries with backoff) never became due. So the scripts are loaded again whenever the
 * connection comes back, and a call that still meets NOSCRIPT loads them and is run once more.
 * A worker also learns when a delayed job is due from a pub/sub message, which is lost while it is disconnected
 * (and its next own check may be 20 minutes away): after a reconnect it raises due delayed jobs at once.
 * Also observes the connect promise and logs errors, so an outage is never an unhandled rejection.
 */
export function hardenBeeQueue(queue: BeeQueue, log: Logger): BeeQueue {
  const internals = queue as unknown as BeeQueueInternals;
  const evalScript = internals._evalScript.bind(queue);
  const loadScripts = () => beeQueueLua.buildCache(internals.client);
  internals._evalScript = async (...args: unknown[]) => {
    try {
      return await evalScript(...args);
    } catch (err) {
      if (!isNoScript(err)) throw err;
      await loadScripts();
      return evalScript(...args);
    }
  };
  // Bee-Queue leaves its connect promise unobserved; observe it here so a Redis outage at boot is not an
  // unhandled rejection. Callers still see the failure through ready().
  const raiseDelayed = () => {
    if (internals.settings.activateDelayedJobs && queue.isRunning()) internals._activateDelayed();
  };
  queue
    .ready()
    .then(() => {
      // node_redis emits `ready` again after each reconnect.
      internals.client?.on('ready', () => {
        loadScripts()
          .then(raiseDelayed)
          .catch((err: unknown) =>
            log.warn({ err, queue: queue.name }, 'could not reload queue scripts after reconnecting'),
          );
      });
      // Subscribed again (node_redis resubscribes before `ready`): messages from here on arrive.
      internals.eclient?.on('ready', raiseDelayed);
    })
    .catch(() => undefined);
  queue.on('error', (err: Error) => log.warn({ err: err.message, queue: queue.name }, 'queue error'));
  return queue;
}

/** Opens one Bee-Queue queue per name. Producers (API) get no blocking or event connections. */
export function openBeeQueues(settings: BeeQueueSettings): Record<QueueName, BeeQueue> {
  const worker = settings.worker;
  const entries = QUEUE_NAMES.map((name) => {
    const queue = new BeeQueue(name, {
      prefix: `${settings.prefix}:bq`,
      redis: { url: settings.redisUrl },
      isWorker: Boolean(worker),
      getEvents: false,
      sendEvents: false,
      storeJobs: false,
      activateDelayedJobs: Boolean(worker),
      removeOnSuccess: true,
      removeOnFailure: true,
      ...(worker ? { stallInterval: worker.stallIntervalMs } : {}),
    });
    return [name, hardenBeeQueue(queue, settings.log)] as const;
  });
  return Object.fromEntries(entries) as Record<QueueName, BeeQueue>;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Opens the Bee-Queue queues lazily, once Redis answers, and opens them again if they failed to connect: a
 * process started during a Redis outage recovers without a restart.
 */
export function createQueueTransport(
  openQueues: () => Record<QueueName, BeeQueue>,
  redis: Redis,
  prefix: string,
): QueueTransport {
  let open: Record<QueueName, BeeQueue> | undefined;
  let opening: Promise<Record<QueueName, BeeQueue>> | undefined;

  function queues(): Promise<Record<QueueName, BeeQueue>> {
    if (open) return Promise.resolve(open);
    opening ??= (async () => {
      // Fail fast during an outage instead of holding the caller for a timeout.
      if (redis.status !== 'ready') throw new Error(`Redis is not reachable (connection ${redis.status})`);
      const candidate = openQueues();
      try {
        await withTimeout(Promise.all(Object.values(candidate).map((q) => q.ready())), 5000, 'Redis connect');
        open = candidate;
        return candidate;
      } catch (err) {
        await Promise.all(Object.values(candidate).map((q) => q.close(100).catch(() => undefined)));
        throw err;
      }
    })().finally(() => (opening = undefined));
    return opening;
  }

  return {
    async enqueue(jobs, timeoutMs = 5000) {
      if (redis.status !== 'ready') throw new Error(`Redis is not reachable (connection ${redis.status})`);
      const all = await queues();
      const byQueue = new Map<QueueName, BeeQueue.Job<any>[]>();
      for (const spec of jobs) {
        const queue = all[spec.queue];
        const job = queue.createJob({}).setId(spec.id);
        const retries = Math.max(0, spec.maxAttempts - spec.attemptsDone - 1);
        if (retries > 0) job.retries(retries).backoff('exponential', Math.max(1, spec.backoffMs));
        if (spec.runAt && spec.runAt.getTime() > Date.now()) job.delayUntil(spec.runAt);
        const list = byQueue.get(spec.queue) ?? [];
        list.push(job);
        byQueue.set(spec.queue, list);
      }
      const saves = [...byQueue.entries()].map(async ([name, list]) => {
        const queue = all[name];
        if (list.length === 1 && list[0]) {
          await list[0].save();
          return;
        }
        const errors = (await (queue as any).saveAll(list)) as Map<unknown, Error>;
        const first = errors.values().next();
        if (!first.done) throw first.value;
      });
      await withTimeout(Promise.all(saves), timeoutMs, 'enqueue');
    },
    async jumpToFront(queue, id) {
      // Workers pop from the tail (BRPOPLPUSH), so the tail is the head of the line.
      await redis.eval(
        "if redis.call('lrem', KEYS[1], 0, ARGV[1]) > 0 then redis.call('rpush', KEYS[1], ARGV[1]) end",
        1,
        beeQueueKey(prefix, queue, 'waiting'),
        id,
      );
    },
    async remove(queue, id) {
      await (await queues())[queue].removeJob(id);
    },
    async holds(jobs) {
      if (jobs.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const j of jobs) pipeline.hexists(beeQueueKey(prefix, j.queue, 'jobs'), j.id);
      const results = (await pipeline.exec()) ?? [];
      return results.map(([err, value]) => {
        if (err) throw err;
        return value === 1;
      });
    },
    async close() {
      await opening?.catch(() => undefined);
      if (open) await Promise.all(Object.values(open).map((q) => q.close(5000)));
      open = undefined;
    },
  };
}
