/**
 * Closing ioredis clients. Our clients wait for Redis forever (`maxRetriesPerRequest: null`), so a plain QUIT
 * sent while Redis is unreachable is queued until Redis comes back — a shutdown would hang on it.
 */
import type { Redis } from 'ioredis';

/** QUIT when connected (bounded by `timeoutMs`), otherwise drop the connection at once. Never throws. */
export async function closeRedisClient(client: Redis, timeoutMs = 1000): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  const timer = setTimeout(() => client.disconnect(), timeoutMs);
  try {
    await client.quit();
  } catch {
    // Already closing or closed: nothing left to do.
  } finally {
    clearTimeout(timer);
  }
}
