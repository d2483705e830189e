/**
 * The worker registry. Bee-Queue tracks no workers, so each worker process beats here every heartbeat interval: a
 * Redis hash describing it (expiring when it stops beating) and its id in an index scored by the time of its last
 * beat. Readers show a worker offline after `offlineAfterMs` without a beat and drop it after `forgetAfterMs`.
 */
import type { Redis } from 'ioredis';
import { QUEUE_NAMES, type QueueName } from '../../db/types.ts';
import type { WorkerJobView, WorkerQueueView, WorkerView } from '../../schema/context.ts';
import { monitorKeys } from './topics.ts';

/** What a worker says about itself; readers add `lastSeenAt` and `online`. */
export type WorkerBeat = Omit<WorkerView, 'online' | 'lastSeenAt'>;

export interface RegistryTimes {
  offlineAfterMs: number;
  forgetAfterMs: number;
}

export async function writeWorkerBeat(
  redis: Redis,
  prefix: string,
  beat: WorkerBeat,
  forgetAfterMs: number,
): Promise<void> {
  const now = Date.now();
  const key = monitorKeys.worker(prefix, beat.id);
  const index = monitorKeys.workerIndex(prefix);
  await redis
    .multi()
    .hset(key, {
      id: beat.id,
      host: beat.host,
      pid: String(beat.pid),
      version: beat.version,
      state: beat.state,
      queues: JSON.stringify(beat.queues),
      running: JSON.stringify(beat.running),
      processed: String(beat.processed),
      succeeded: String(beat.succeeded),
      failed: String(beat.failed),
      startedAt: beat.startedAt.toISOString(),
      lastSeen: String(now),
    })
    .pexpire(key, forgetAfterMs)
    .zadd(index, now, beat.id)
    .zremrangebyscore(index, '-inf', now - forgetAfterMs)
    .exec();
}

/** A worker that stops cleanly leaves the registry at once. */
export async function removeWorker(redis: Redis, prefix: string, id: string): Promise<void> {
  await redis.multi().del(monitorKeys.worker(prefix, id)).zrem(monitorKeys.workerIndex(prefix), id).exec();
}

const isQueue = (q: unknown): q is QueueName => (QUEUE_NAMES as readonly unknown[]).includes(q);

function parseJson<T>(text: string | undefined, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

function toView(hash: Record<string, string>, now: number, times: RegistryTimes): WorkerView | undefined {
  const lastSeen = Number(hash.lastSeen);
  if (!hash.id || !Number.isFinite(lastSeen) || now - lastSeen > times.forgetAfterMs) return undefined;
  const queues = parseJson<WorkerQueueView[]>(hash.queues, []).filter((q) => isQueue(q.name));
  const running = parseJson<(Omit<WorkerJobView, 'startedAt'> & { startedAt: string | null })[]>(
    hash.running,
    [],
  ).map((j) => ({
    jobId: String(j.jobId),
    queue: isQueue(j.queue) ? j.queue : null,
    attempt: Number(j.attempt) || 0,
    startedAt: j.startedAt ? new Date(j.startedAt) : null,
  }));
  return {
    id: hash.id,
    host: hash.host ?? '',
    pid: Number(hash.pid) || 0,
    version: hash.version ?? 'unknown',
    state: hash.state === 'STOPPING' ? 'STOPPING' : 'RUNNING',
    queues,
    running,
    processed: Number(hash.processed) || 0,
    succeeded: Number(hash.succeeded) || 0,
    failed: Number(hash.failed) || 0,
    startedAt: new Date(hash.startedAt ?? lastSeen),
    lastSeenAt: new Date(lastSeen),
    online: now - lastSeen <= times.offlineAfterMs,
  };
}

/** Every worker seen within `forgetAfterMs`, oldest start first. */
export async function readWorkers(redis: Redis, prefix: string, times: RegistryTimes): Promise<WorkerView[]> {
  const now = Date.now();
  const index = monitorKeys.workerIndex(prefix);
  const ids = await redis.zrangebyscore(index, now - times.forgetAfterMs, '+inf');
  if (ids.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const id of ids) pipeline.hgetall(monitorKeys.worker(prefix, id));
  const results = (await pipeline.exec()) ?? [];
  const workers: WorkerView[] = [];
  const gone: string[] = [];
  results.forEach(([err, hash], i) => {
    if (err) throw err;
    const view = toView(hash as Record<string, string>, now, times);
    if (view) workers.push(view);
    else gone.push(ids[i]!);
  });
  // Hashes expire on their own; their index entries go here (or at the next beat of any worker).
  if (gone.length > 0) await redis.zrem(index, ...gone).catch(() => undefined);
  return workers.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime() || a.id.localeCompare(b.id));
}
