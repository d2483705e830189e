/**
 * Live job events for subscribers, read from Redis pub/sub through the yoga Redis event target. Whichever process
 * published an event (any worker, any API replica), every API replica delivers it. Each subscriber gets its own
 * bounded, coalescing mailbox: a slow consumer gets the latest progress rather than every step, never slows the
 * others, and never loses a state transition. Snapshots carry the job's version, so an event that arrives after a
 * newer snapshot is dropped instead of rolling the picture back.
 */
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { Repeater } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Database } from '../../db/database.ts';
import { findSyncJobById } from '../../db/queries/sync-job.ts';
import { FINISHED_STATUSES, JOB_STATUSES, QUEUE_NAMES, SYNC_TYPES, type SyncJob } from '../../db/types.ts';
import type { JobEventView, LiveOperations, QueueStats } from '../../schema/context.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { parseInput } from '../validation.ts';
import { jobTopics, type JobEvent } from './job-events.ts';
import { CLOSED, Mailbox } from './mailbox.ts';

const DATE_FIELDS = [
  'run_at',
  'cancel_requested_at',
  'heartbeat_at',
  'created_at',
  'started_at',
  'finished_at',
  'updated_at',
] as const;

/** Events cross Redis as JSON; dates come back as strings. */
function reviveJob(job: SyncJob): SyncJob {
  const revived = { ...job } as Record<string, unknown>;
  for (const field of DATE_FIELDS) {
    const value = revived[field];
    if (typeof value === 'string') revived[field] = new Date(value);
  }
  return revived as unknown as SyncJob;
}

const isFinished = (job: SyncJob) => FINISHED_STATUSES.includes(job.status);

const eventFilterSchema = z
  .object({
    integrationId: z.guid({ message: 'must be a UUID' }).nullish(),
    status: z.array(z.enum(JOB_STATUSES)).nullish(),
    syncType: z.array(z.enum([...SYNC_TYPES, 'CLEANUP'])).nullish(),
    queue: z.array(z.enum(QUEUE_NAMES)).nullish(),
  })
  .strict();

/** Newest version seen per job, bounded so a long-lived subscription does not grow without end. */
class VersionLedger {
  private versions = new Map<string, number>();
  constructor(private readonly limit = 10_000) {}

  /** True when this snapshot is newer than anything delivered for its job. */
  advance(job: SyncJob): boolean {
    const seen = this.versions.get(job.id);
    if (seen !== undefined && job.version <= seen) return false;
    this.versions.delete(job.id);
    this.versions.set(job.id, job.version);
    if (this.versions.size > this.limit) this.versions.delete(this.versions.keys().next().value!);
    return true;
  }
}

export interface LiveFeedDeps {
  db: Database;
  prefix: string;
  /** A dedicated connection: it enters subscriber mode. */
  subscriber: Redis;
  /** Any regular connection (the event target requires one; we publish elsewhere). */
  publisher: Redis;
  stats: () => Promise<QueueStats>;
  log: Logger;
  /** Longest gap between two queue-stats computations while someone listens (ms). */
  statsRefreshMs?: number;
  /** More channels whose messages change the queue stats (e.g. queue pause/resume); each message is JSON. */
  statsChannels?: string[];
}

export interface LiveFeed extends LiveOperations {
  /** Ends every open subscription. */
  close(): void;
}

export function createLiveFeed(deps: LiveFeedDeps): LiveFeed {
  const { db, prefix, log } = deps;
  // The event target calls subscribe/unsubscribe without handling their promises; keep a lost connection from
  // becoming an unhandled rejection (e.g. during shutdown).
  const subscribeClient = {
    on: (event: string, listener: (...args: any[]) => void) => deps.subscriber.on(event, listener),
    subscribe: (...channels: string[]) =>
      deps.subscriber.subscribe(...channels).catch((err: unknown) => log.warn({ err }, 'subscribe failed')),
    unsubscribe: (...channels: string[]) => deps.subscriber.unsubscribe(...channels).catch(() => undefined),
  };
  const target = createRedisEventTarget<CustomEvent<JobEvent>>({
    publishClient: deps.publisher,
    subscribeClient: subscribeClient as unknown as Redis,
  });
  const open = new Set<() => void>();

  function listen(channel: string, onEvent: (event: JobEvent) => void): () => void {
    const callback = (event: CustomEvent<JobEvent>) => onEvent(event.detail);
    target.addEventListener(channel, callback);
    return () => target.removeEventListener(channel, callback);
  }

  /** Runs `pump` for one subscriber; stopping (client gone, completion, close()) releases everything. */
  function feed<T>(
    pump: (push: (value: T) => Promise<unknown>, box: Mailbox<JobEvent>) => Promise<void>,
    channel: string,
  ) {
    return new Repeater<T>(async (push, stop) => {
      const box = new Mailbox<JobEvent>((e) => (e.kind === 'PROGRESS' ? e.job.id : undefined));
      const unlisten = listen(channel, (e) => box.push(e));
      const end = () => stop();
      open.add(end);
      void stop.then(() => {
        open.delete(end);
        unlisten();
        box.close();
      });
      try {
        await pump(push, box);
      } catch (err) {
        stop(err);
        return;
      }
      stop();
    });
  }

  // Queue stats: one computation per process per change (at most once a second), shared by every subscriber.
  const statsBoxes = new Set<Mailbox<QueueStats>>();
  let statsTimer: NodeJS.Timeout | undefined;
  let unlistenStats: (() => void) | undefined;
  let statsDirty = true;
  let lastStatsKey: string | undefined;
  let lastStats: QueueStats | undefined;
  let lastComputedAt = 0;
  let computing = false;

  async function refreshStats(force: boolean): Promise<void> {
    if (computing) return;
    if (!force && !statsDirty && Date.now() - lastComputedAt < (deps.statsRefreshMs ?? 5000)) return;
    computing = true;
    statsDirty = false;
    try {
      const stats = await deps.stats();
      lastComputedAt = Date.now();
      const key = JSON.stringify({ ...stats, generatedAt: null });
      if (key !== lastStatsKey) {
        lastStatsKey = key;
        lastStats = stats;
        for (const box of statsBoxes) box.push(stats);
      }
    } catch (err) {
      log.warn({ err }, 'queue stats refresh failed');
    } finally {
      computing = false;
    }
  }

  function startStats(): void {
    if (statsTimer) return;
    const unlisten = [jobTopics.jobEvents(prefix), ...(deps.statsChannels ?? [])].map((channel) =>
      listen(channel, () => (statsDirty = true)),
    );
    unlistenStats = () => unlisten.forEach((stop) => stop());
    statsTimer = setInterval(() => void refreshStats(false), 1000);
  }

  function stopStats(): void {
    if (statsTimer) clearInterval(statsTimer);
    statsTimer = undefined;
    unlistenStats?.();
    unlistenStats = undefined;
    lastStatsKey = undefined;
  }

  return {
    async jobUpdated(idInput) {
      const id = parseInput(z.guid({ message: 'must be a UUID' }), idInput, ['id']);
      if (!(await findSyncJobById(db, id))) throw new AppError('JOB_NOT_FOUND', `Job ${id} does not exist`);
      return feed<SyncJob>(
        async (push, box) => {
          // Listening started before this read, so nothing between the snapshot and the first event is missed.
          const snapshot = await findSyncJobById(db, id);
          if (!snapshot) return;
          let version = snapshot.version;
          await push(snapshot);
          if (isFinished(snapshot)) return;
          for (;;) {
            const event = await box.next();
            if (event === CLOSED) return;
            const job = reviveJob(event.job);
            if (job.version <= version) continue;
            version = job.version;
            await push(job);
            if (isFinished(job)) return;
          }
        },
        jobTopics.jobUpdated(prefix, id),
      );
    },

    async jobEvents(filterInput) {
      const f = parseInput(eventFilterSchema, filterInput ?? {}, ['filter']);
      const ledger = new VersionLedger();
      const matches = (job: SyncJob) =>
        (!f.integrationId || job.integration_id === f.integrationId) &&
        (!f.status?.length || f.status.includes(job.status)) &&
        (!f.syncType?.length || f.syncType.includes(job.sync_type)) &&
        (!f.queue?.length || f.queue.includes(job.queue));
      return feed<JobEventView>(async (push, box) => {
        for (;;) {
          const event = await box.next();
          if (event === CLOSED) return;
          const job = reviveJob(event.job);
          if (!ledger.advance(job) || !matches(job)) continue;
          await push({ kind: event.kind, job, at: event.at });
        }
      }, jobTopics.jobEvents(prefix));
    },

    queueStats() {
      return new Repeater<QueueStats>(async (push, stop) => {
        const box = new Mailbox<QueueStats>(() => 'latest');
        statsBoxes.add(box);
        const end = () => stop();
        open.add(end);
        startStats();
        void stop.then(() => {
          open.delete(end);
          statsBoxes.delete(box);
          box.close();
          if (statsBoxes.size === 0) stopStats();
        });
        if (!lastStats) await refreshStats(true);
        if (lastStats) await push(lastStats);
        for (;;) {
          const stats = await box.next();
          if (stats === CLOSED) return;
          await push(stats);
        }
      });
    },

    close() {
      for (const end of [...open]) end();
      stopStats();
    },
  };
}
