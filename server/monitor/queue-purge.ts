import type { Redis } from 'ioredis';
import type { QueueName } from '../../db/types.ts';
import { beeQueueKey } from '../queue/transport.ts';

// Bee-Queue's own lib/lua/removeJob.lua (the script behind Queue#removeJob), so removing many jobs can be pipelined.
const REMOVE_JOB = `
local jobId = ARGV[1]
if (redis.call("sismember", KEYS[1], jobId) + redis.call("sismember", KEYS[2], jobId)) == 0 then
  redis.call("lrem", KEYS[3], 0, jobId)
  redis.call("lrem", KEYS[4], 0, jobId)
end
redis.call("srem", KEYS[1], jobId)
redis.call("srem", KEYS[2], jobId)
redis.call("srem", KEYS[5], jobId)
redis.call("hdel", KEYS[6], jobId)
redis.call("zrem", KEYS[7], jobId)
`;

const CHUNK = 500;

/**
 * Removes jobs the record no longer wants queued (waiting or delayed) from Bee-Queue, `CHUNK` per round trip. Like
 * `QueueTransport.remove`, never for a job whose handler runs: a worker that already popped one of these ids finds
 * its row CANCELLED and skips it.
 */
export async function removeQueuedJobs(
  redis: Redis,
  prefix: string,
  queue: QueueName,
  ids: string[],
): Promise<void> {
  const keys = ['succeeded', 'failed', 'waiting', 'active', 'stalling', 'jobs', 'delayed'].map((k) =>
    beeQueueKey(prefix, queue, k),
  );
  for (let i = 0; i < ids.length; i += CHUNK) {
    const pipeline = redis.pipeline();
    for (const id of ids.slice(i, i + CHUNK)) pipeline.eval(REMOVE_JOB, keys.length, ...keys, id);
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([err]) => err);
    if (failed?.[0]) throw failed[0];
  }
}
